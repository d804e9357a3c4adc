# outplace-golden: safe-fixes-only, before-fails
import torch


def produce(x):
    y = torch.sigmoid(x)
    yield y
    y.mul_(2)  # the consumer holds `y`: it sees this write, not a rebinding
    yield y


def make_inputs():
    return (torch.randn(4, 6, requires_grad=True),)


def run(x):
    steps = produce(x)
    first = next(steps)
    next(steps)
    return first.sum()
