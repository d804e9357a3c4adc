# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(2, 8, requires_grad=True),)


def run(z):
    pre = z * 2
    gate = pre.sigmoid()
    gate.mul_(2)  # <- error
    return (gate * pre).sum()


def reference(z):
    pre = z * 2
    return (pre.sigmoid() * 2 * pre).sum()
