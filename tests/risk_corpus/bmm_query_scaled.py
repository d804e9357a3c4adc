# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(2, 3, 4, requires_grad=True), torch.randn(2, 4, 3, requires_grad=True))


def run(x, k):
    q = x * 1
    o = torch.bmm(q, k)
    q.mul_(0.5)  # <- error
    return o.sum() + q.sum()


def reference(x, k):
    return torch.bmm(x, k).sum() + (x * 0.5).sum()
