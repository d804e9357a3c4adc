# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(3, 4, requires_grad=True), torch.randn(2, 4, requires_grad=True), torch.randn(2, requires_grad=True))


def run(x, w, b):
    h = x * 1
    out = F.linear(h, w, b)
    h.zero_()  # <- error
    return out.pow(2).sum() + h.sum()


def reference(x, w, b):
    return F.linear(x, w, b).pow(2).sum() + (x * 0).sum()
