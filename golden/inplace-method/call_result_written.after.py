import torch


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(4, requires_grad=True),)


def run(z: torch.Tensor):
    return torch.tanh(z).mul(2).sum()  # tanh saved its result: the write breaks backward


def reference(z):
    return (torch.tanh(z) * 2).sum()
