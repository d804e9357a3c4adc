# outplace-golden: unsafe-fixes
import torch


def make_inputs():
    return (torch.randn(3, requires_grad=True),)


def run(z: torch.Tensor):
    buf = torch.empty(2, 3)
    buf = (z * 2).to(device=buf.device, dtype=buf.dtype, non_blocking=False).expand_as(buf).clone()  # broadcast over the rows
    return (buf * buf).sum()


def reference(z):
    return (8 * z * z).sum()
