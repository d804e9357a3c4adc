# outplace-golden: before-fails
import torch
import torch.nn.functional as F


def make_inputs():
    return (torch.randn(6, requires_grad=True),)


def run(z):
    g = torch.tanh(z)
    y = F.relu_(g)  # tanh saved g; y and g are the same tensor
    return (y * g).sum()


def reference(z):
    return (torch.relu(torch.tanh(z)) ** 2).sum()
