# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(4, 6, requires_grad=True),)


def run(x):
    y = torch.sigmoid(x)
    later = lambda: y.sum()
    y.mul_(2)  # the closure reads `y` when it runs: it sees a rebinding as it sees the write
    return later()
