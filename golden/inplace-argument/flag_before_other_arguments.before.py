# outplace-golden: before-fails
import torch
import torch.nn as nn


def make_inputs():
    return (torch.randn(5, 4, requires_grad=True),)


def run(x):
    # Hardtanh's deprecated arguments follow the flag: it becomes False instead of disappearing
    net = nn.Sequential(nn.Linear(4, 4), nn.Softmax(dim=-1), nn.Hardtanh(0.0, 0.2, True, None, None))
    return (net(x) * torch.arange(4.0)).sum()


def reference(x):
    linear = nn.Linear(4, 4)
    return (torch.clamp(torch.softmax(linear(x), -1), 0.0, 0.2) * torch.arange(4.0)).sum()
