# outplace-golden: safe-fixes-only
import torch


def make_inputs():
    return (torch.randn(2, 3, requires_grad=True),)


def run(z: torch.Tensor):
    x = z * 2
    v = x.view(-1)
    x += 1  # also changes `v`
    return v.sum()
