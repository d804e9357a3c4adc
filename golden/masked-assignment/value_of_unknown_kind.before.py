# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(4, 5, requires_grad=True), torch.randn((), requires_grad=True)


def run(z: torch.Tensor, fill):
    h = torch.sigmoid(z)
    h[h > 0.5] = fill  # a number or a tensor: only the clone-then-write is exact for both
    return (h * h).sum()


def reference(z, fill):
    h = torch.sigmoid(z)
    h = torch.where(h > 0.5, fill, h)
    return (h * h).sum()
