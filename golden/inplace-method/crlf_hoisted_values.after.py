# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(4, requires_grad=True), True


def run(z: torch.Tensor, c: bool):
    x = z * 3
    y = z
    if c: y = x.relu_() * 2
    x = x.sigmoid()
    out = x.sum()  # hoisted
    return out + y.sum()


def reference(z, c):
    x = torch.relu(z * 3)
    return torch.sigmoid(x).sum() + (x * 2).sum()
