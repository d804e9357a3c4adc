# outplace-golden: unsafe-fixes
import torch


def make_inputs():
    return (torch.randn(2, 3, requires_grad=True),)


def run(z: torch.Tensor):
    h = torch.sigmoid(z)
    acc = h.exp()  # exp saves its result
    acc = torch.zeros_like(acc)
    return (acc + h).sum()


def reference(z):
    return torch.sigmoid(z).sum()
