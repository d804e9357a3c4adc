# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(6, requires_grad=True),)


def run(x):
    p = x.abs() + 1
    lp = torch.log(p)
    p.clamp_(min=1.5)  # <- error
    return lp.sum() + p.sum()


def reference(x):
    p = x.abs() + 1
    return torch.log(p).sum() + p.clamp(min=1.5).sum()
