# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(2, 3, requires_grad=True),)


def run(x):
    h = torch.sigmoid(x)
    v = h.view(-1)
    v += 1  # <- error
    return v.sum()


def reference(x):
    return (torch.sigmoid(x).view(-1) + 1).sum()
