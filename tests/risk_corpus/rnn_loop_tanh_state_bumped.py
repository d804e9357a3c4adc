# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(3, 2, 4, requires_grad=True), torch.randn(4, 4, requires_grad=True))


def run(xs, w):
    h = torch.zeros(2, 4)
    for t in range(3):
        h = torch.tanh(xs[t] @ w + h)
        h += 0.1  # <- error
    return h.sum()


def reference(xs, w):
    h = torch.zeros(2, 4)
    for t in range(3):
        h = torch.tanh(xs[t] @ w + h) + 0.1
    return h.sum()
