# outplace-golden: before-fails
import torch
from torch import nn
import torch.nn as tnn
from torch.nn import functional as fn


def make_inputs():
    return (torch.randn(3, 4, requires_grad=True),)


def run(x):
    a = nn.Sequential(nn.Linear(4, 4), nn.Sigmoid(), nn.ReLU(inplace=True))
    b = tnn.Sequential(tnn.Linear(4, 4), tnn.Tanh(), tnn.ReLU6(True))
    y = torch.exp(b(a(x)))
    y = fn.silu(y, inplace=True)
    return y.sum()


def reference(x):
    first, second = nn.Linear(4, 4), nn.Linear(4, 4)
    h = torch.relu(torch.sigmoid(first(x)))
    return fn.silu(torch.exp(torch.clamp(torch.tanh(second(h)), 0, 6))).sum()
