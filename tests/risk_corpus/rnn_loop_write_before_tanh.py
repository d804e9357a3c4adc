# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(2, 4, requires_grad=True),)


def run(x):
    h = x * 1
    for t in range(3):
        h += 1  # <- error
        h = torch.tanh(h)
    return h.sum()


def reference(x):
    h = x * 1
    for t in range(3):
        h = torch.tanh(h + 1)
    return h.sum()
