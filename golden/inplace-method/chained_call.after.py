import torch


def make_inputs():
    x = torch.randn(3, requires_grad=True)
    a = torch.randn(3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    return x, a, b


def run(x: torch.Tensor, a: torch.Tensor, b: torch.Tensor):
    h = torch.tanh(x)
    h = h.mul(a).to(h.dtype).add(b).to(h.dtype)
    return h.pow(2).sum()


def reference(x, a, b):
    return (torch.tanh(x) * a + b).pow(2).sum()
