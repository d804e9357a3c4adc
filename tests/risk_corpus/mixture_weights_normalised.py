# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(5, requires_grad=True),)


def run(logw):
    w = torch.exp(logw)
    w.div_(w.sum())  # <- error
    return (w * torch.arange(5.0)).sum()


def reference(logw):
    return (torch.softmax(logw, 0) * torch.arange(5.0)).sum()
