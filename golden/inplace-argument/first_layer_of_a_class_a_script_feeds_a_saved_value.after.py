# outplace-golden: before-fails, unsafe-fixes
import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.net = nn.Sequential(nn.ReLU(), nn.Linear(d, d))

    def forward(self, x):
        return self.net(x)


def make_inputs():
    return (torch.randn(2, 4, requires_grad=True),)


def run(z):
    torch.manual_seed(0)  # the module lives in this file: before and after build their own
    mlp = MLP(4)
    h = torch.sigmoid(z)  # saves its output, which MLP's first layer overwrites
    return mlp(h).sum()


def reference(z):
    torch.manual_seed(0)
    mlp = MLP(4)
    return mlp.net[1](torch.relu(torch.sigmoid(z))).sum()
