# outplace-golden: before-fails
import torch
import torch.nn as nn


def start_as_identity(matrix):
    with torch.no_grad():
        matrix.zero_()
        matrix.diagonal().fill_(1.0)


class Mixer(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.mix = nn.Parameter(torch.empty(dim, dim))
        self.frozen = nn.Parameter(torch.empty(dim, dim), requires_grad=False)
        start_as_identity(self.mix)

    def forward(self, x):
        return x @ self.mix


def make_inputs():
    return (torch.randn(2, 3, requires_grad=True),)


def run(x):
    return Mixer(3)(x).pow(2).sum()


def reference(x):
    return x.pow(2).sum()
