# outplace-golden: safe-fixes-only, before-fails
import torch


STORE = []


def keep(t):
    STORE.append(t)


def make_inputs():
    return (torch.randn(4, 6, requires_grad=True),)


def run(x):
    y = torch.sigmoid(x)
    keep(y)
    y.mul_(2)  # `keep` stored y: the store sees this write, not a rebinding
    return STORE[0].sum()
