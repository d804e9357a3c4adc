# outplace-golden: before-fails
import torch
import torch.nn as nn


def make_inputs():
    return (torch.randn(5, 4, requires_grad=True),)


def run(x):
    net = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.LeakyReLU(0.2, True), nn.Linear(4, 2), nn.Sigmoid(), nn.ELU(1.0, True))
    return net(x).sum()


def reference(x):
    first, second = nn.Linear(4, 4), nn.Linear(4, 2)
    h = torch.nn.functional.leaky_relu(torch.tanh(first(x)), 0.2)
    return torch.nn.functional.elu(torch.sigmoid(second(h))).sum()
