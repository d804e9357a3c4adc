import torch


def make_inputs():
    return (torch.randn(6, requires_grad=True),)


def run(z: torch.Tensor):
    x = torch.exp(z)  # exp saves its result
    y = x.relu_()
    return (y + x).sum()


def reference(z):
    return (2 * torch.relu(torch.exp(z))).sum()
