# outplace-golden: before-fails, unsafe-fixes
import torch


def make_inputs():
    torch.manual_seed(0)
    return torch.randn(3, 4, requires_grad=True), torch.randn(4, requires_grad=True)


def zero_first_column(h):
    h[:, 0] = 0  # writes the caller's h, which its mul saved
    return h


def run(x: torch.Tensor, w: torch.Tensor):
    h = x * 2
    y = h * w
    h = zero_first_column(h)
    return (y + h).sum()


def reference(x, w):
    h = x * 2
    y = h * w
    return (y + torch.cat([torch.zeros(3, 1), h[:, 1:]], 1)).sum()
