# outplace-golden: before-fails
import torch
import torch.nn as nn


def make_inputs():
    return (torch.randn(3, 4, requires_grad=True),)


def run(x):
    net = nn.Sequential(nn.Linear(4, 4), nn.Sigmoid(), nn.ReLU(inplace=True))
    return net(x).sum()


def reference(x):
    linear = nn.Linear(4, 4)
    return torch.relu(torch.sigmoid(linear(x))).sum()
