# outplace-golden: safe-fixes-only, before-fails
import torch


def remember(x):
    global LAST
    LAST = torch.sigmoid(x)
    LAST.mul_(2)  # a global: other code reads it


def make_inputs():
    return (torch.randn(4, 6, requires_grad=True),)


def run(x):
    remember(x)
    return LAST.sum()
