# outplace-golden: safe-fixes-only, before-fails
import torch


def make_inputs():
    return (torch.randn(4, 6, requires_grad=True),)


def run(x):
    y = torch.sigmoid(x)
    p = torch.nn.Parameter(y)
    y.mul_(2)  # the Parameter shares y's storage
    return p.sum() + y.sum()
