# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(4, 5, requires_grad=True),)


def run(z: torch.Tensor):
    h = torch.tanh(z)
    h = h.select_scatter(torch.full_like(h[:, 0], 0), 1, 0)  # tanh saved h for backward
    return (h * h).sum()


def reference(z):
    h = torch.tanh(z)
    h = torch.cat([torch.zeros(4, 1), h[:, 1:]], dim=1)
    return (h * h).sum()
