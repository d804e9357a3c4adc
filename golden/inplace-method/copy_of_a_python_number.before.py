# outplace-golden: before-fails, unsafe-fixes
import torch


def make_inputs():
    return (torch.randn(2, 6, requires_grad=True),)


def run(w):
    t = torch.sigmoid(w)
    t.copy_(True)  # a Python number has no `.to()`: the twin is a fill
    u = torch.exp(w)
    u.copy_(-2.5).abs_()
    v = torch.exp(w)
    v.copy_(float("inf"))  # a number spelled as a call
    return (t * w).sum() + (u * w).sum() + (v * w).sum()
