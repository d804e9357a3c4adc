# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(2, 3, 4, requires_grad=True),)


def run(z: torch.Tensor):
    h = torch.exp(z)
    h[..., -1] = 1.0
    return (h * h).sum()


def reference(z):
    h = torch.exp(z)
    h = torch.cat([h[..., :-1], torch.ones(2, 3, 1)], dim=-1)
    return (h * h).sum()
