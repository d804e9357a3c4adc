# outplace-golden: before-fails
import torch
import torch.nn.functional as F


def make_inputs():
    return (torch.randn(4, 3, requires_grad=True),)


def run(z):
    x = torch.sigmoid(z)
    x = F.relu(x)
    y = x + x  # `+ x` reads the written x: the rebinding goes first
    h = torch.tanh(z)
    h = F.leaky_relu(h, 0.2)
    g = h  # `g` is `h`: both names are rebound
    return (y * x).sum() + (g * h).sum()


def reference(z):
    x = torch.relu(torch.sigmoid(z))
    h = F.leaky_relu(torch.tanh(z), 0.2)
    return ((x + x) * x).sum() + (h * h).sum()
