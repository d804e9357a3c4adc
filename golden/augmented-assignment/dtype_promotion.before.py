import torch


def accumulate(x: torch.Tensor, y: torch.Tensor):
    h = torch.exp(x)  # exp saves its result
    h += y.double()  # in place keeps float32; out of place promotes to float64
    return h


def make_inputs():
    return torch.randn(3, requires_grad=True), torch.randn(3, requires_grad=True)


def run(x, y):
    return (accumulate(x, y) * 3).sum()


def reference(x, y):
    return ((torch.exp(x) + y.double()).float() * 3).sum()
