# outplace-golden: unsafe-fixes
import torch


def make_inputs():
    return (torch.randn(4, requires_grad=True),)


def run(z: torch.Tensor):
    h = torch.tanh(z)
    mask = h.exp()  # exp saves its result
    mask = torch.as_tensor(0.5, dtype=mask.dtype, device=mask.device).expand_as(mask).clone()
    return (mask * h).sum()


def reference(z):
    return (0.5 * torch.tanh(z)).sum()
