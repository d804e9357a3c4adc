# outplace-golden: before-fails
import torch
import torch.nn.functional as F


def make_inputs():
    return (torch.randn(50, requires_grad=True),)


def run(z):
    h = torch.tanh(z)
    h = F.dropout(h, 0.5, True)  # the write was the point: the fix rebinds h
    return (h * 3).sum()
