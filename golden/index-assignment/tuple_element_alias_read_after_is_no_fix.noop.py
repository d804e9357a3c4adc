# outplace-golden: before-fails
import torch


def make_inputs():
    torch.manual_seed(0)
    return torch.randn(2, 3, requires_grad=True), torch.randn(3, requires_grad=True)


def encode(x: torch.Tensor):
    h = x * 2
    return h, h + 1


def run(x: torch.Tensor, scale: torch.Tensor):
    out = encode(x)
    first = out[0]  # holds the element's tensor: it sees the in-place write, a rebuilt `out` it would not
    for j in range(3):
        out[0][:, j] = out[0][:, j] * scale[j]
    return (first + out[1]).sum()
