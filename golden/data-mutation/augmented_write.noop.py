import torch


def make_inputs():
    return torch.randn(3, requires_grad=True), torch.randn(3)


def run(x, u):
    p = torch.nn.Parameter(torch.ones(3))
    y = (p * x).sum()
    p.data += u
    p.data[1] *= 2
    return y
