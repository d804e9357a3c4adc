# outplace-golden: before-fails, unsafe-fixes
import torch
import torch.nn.functional as F


def mish(x, inplace=False):
    inner = F.softplus(x).tanh()
    return x.mul(inner) if inplace else x.mul(inner)  # softplus saved x: the in-place branch breaks backward


def gate(h, inplace=False):
    y = torch.sigmoid(h)
    return y.add(1) if inplace else y + 1  # sigmoid saved y


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(3, 4, requires_grad=True),)


def run(x):
    return (mish(x * 1, inplace=True) * gate(x, inplace=True)).sum()


def reference(x):
    return (x * F.softplus(x).tanh() * (torch.sigmoid(x) + 1)).sum()
