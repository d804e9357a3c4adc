# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(4, 6, requires_grad=True),)


def run(x):
    a = torch.sigmoid(x)
    b = torch.sigmoid(x * 2)
    for p in (a, b):
        p.clamp_(min=0.6)  # writes `a` and `b`; rebinding `p` would write neither
    return (a * b).sum()
