# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(3, 4, requires_grad=True), torch.randn((), requires_grad=True)


def run(z: torch.Tensor, v: torch.Tensor):
    h = torch.sigmoid(z)
    h[1, 2] = v  # neither one select nor one slice: a clone, then the write
    return (h * h).sum()


def reference(z, v):
    h = torch.sigmoid(z)
    mask = torch.zeros(3, 4, dtype=torch.bool)
    mask[1, 2] = True
    h = torch.where(mask, v, h)
    return (h * h).sum()
