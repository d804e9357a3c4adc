# outplace-golden: before-fails, unsafe-fixes
import torch
import torch.nn as nn


class ChannelScaler(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.scale = nn.Parameter(torch.linspace(0.5, 1.5, dim))

    def forward(self, encoded):
        for j in range(encoded[0].size(1)):
            encoded = (encoded[0].select_scatter((encoded[0][:, j] * self.scale[j]).expand_as(encoded[0][:, j]), 1, j), *encoded[1:])  # mul saved the column for scale's gradient
        return encoded


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(2, 3, requires_grad=True),)


def run(x):
    a, b = ChannelScaler(3)((x * 1, x + 1))  # the module lives in this file: before and after build their own
    return (a * b).sum()


def reference(x):
    return (x * torch.linspace(0.5, 1.5, 3) * (x + 1)).sum()
