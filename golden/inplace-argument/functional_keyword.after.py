# outplace-golden: before-fails
import torch
import torch.nn.functional as F


def make_inputs():
    return (torch.randn(6, requires_grad=True),)


def run(z):
    h = torch.sigmoid(z) - 0.5
    h = torch.exp(h)
    h = F.relu(h)
    return (h * h).sum()


def reference(z):
    return (torch.exp(torch.sigmoid(z) - 0.5) ** 2).sum()
