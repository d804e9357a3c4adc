# outplace-golden: no-findings
import torch


def make_inputs():
    torch.manual_seed(0)
    return torch.randn(2, 3, requires_grad=True), torch.randn(3, requires_grad=True)


def encode(x: torch.Tensor):
    h = x * 2
    return h + 0, h + 1


def run(x: torch.Tensor, scale: torch.Tensor):
    out = encode(x)
    for j in range(3):
        out[0][:, j] = out[1][:, j] * scale[j]  # nothing saved out[0]: harmless, and no name to rebind anyway
    return (out[0] + out[1]).sum()
