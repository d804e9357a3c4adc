# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(4, 6, requires_grad=True),)


def run(x):
    cache = {}
    y = torch.sigmoid(x)
    cache["y"] = y
    y.mul_(2)  # `cache` holds y's tensor
    return cache["y"].sum()
