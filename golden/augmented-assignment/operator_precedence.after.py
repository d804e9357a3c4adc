import torch


def make_inputs():
    a = torch.rand(4, requires_grad=True)
    b = torch.rand(4, requires_grad=True)
    return torch.rand(4, requires_grad=True), a, b, True


def run(x: torch.Tensor, a: torch.Tensor, b: torch.Tensor, c: bool):
    h = x + 2
    h *= a + b
    h = (h - (a - b)).to(h.dtype)
    h = h ** -1
    h = (h / (a + 1 if c else b + 1)).to(h.dtype)
    h = (h + -a).to(h.dtype)
    h = (h - -b).to(h.dtype)
    return h.sum()


def reference(x, a, b, c):
    h = 1 / ((x + 2) * (a + b) - a + b)
    h = h / (a + 1)
    return (h - a + b).sum()
