# outplace-golden: before-fails, unsafe-fixes
import torch
import torch.nn as nn


class Pair(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.lin = nn.Linear(d, d)

    def forward(self, x):
        gate = torch.sigmoid(self.lin(x))
        return gate, self.lin(x)


class Net(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.pair = Pair(d)

    def forward(self, x):
        gate, value = self.pair(x)
        gate = gate * 2  # Pair's sigmoid saved its output: the first element
        value *= 2  # a Linear's output, saved by nothing: code that trains
        return gate * value


def make_inputs():
    return (torch.randn(2, 4, requires_grad=True),)


def run(x):
    torch.manual_seed(0)  # the module lives in this file: before and after build their own
    return Net(4)(x).sum()


def reference(x):
    torch.manual_seed(0)
    net = Net(4)
    gate, value = torch.sigmoid(net.pair.lin(x)), net.pair.lin(x)
    return ((gate * 2) * (value * 2)).sum()
