# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(4, 5, requires_grad=True),)


def run(z: torch.Tensor):
    x = torch.sigmoid(z * 3)
    x = x.clone()
    x[x.abs() > 0.5] *= 0.5  # the mask is computed once, not twice
    return (x * x).sum()


def reference(z):
    x = torch.sigmoid(z * 3)
    x = torch.where(x > 0.5, x * 0.5, x)
    return (x * x).sum()
