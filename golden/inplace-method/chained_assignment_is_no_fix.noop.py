# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(4, 6, requires_grad=True),)


def run(x):
    y = z = torch.sigmoid(x)
    y.mul_(2)  # `z` is the same tensor
    return z.sum()
