# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(5, requires_grad=True), torch.randn(5, requires_grad=True)


def run(x: torch.Tensor, a: torch.Tensor):
    h = torch.tanh(x)
    h.mul_(a).add_(torch.ones_like(a) * a.mean())  # no later argument reads h: still one statement
    return h.pow(2).sum()


def reference(x, a):
    return (torch.tanh(x) * a + a.mean()).pow(2).sum()
