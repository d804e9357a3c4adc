# outplace-golden: before-fails, unsafe-fixes
import torch
import torch.nn as nn
import torch.nn.functional as F


class Noisy(nn.Linear):
    def __init__(self, n, m):
        super().__init__(n, m)
        self.sigma = nn.Parameter(torch.full((m, n), 0.1))
        self.register_buffer("eps", torch.zeros(m, n))  # contiguous: a new tensor draws the same numbers

    def forward(self, x):
        self.eps = torch.empty_like(self.eps).normal_(0.0, 1.0)  # the previous call's `sigma * eps` saved the old values
        return F.linear(x, self.weight + self.sigma * self.eps, self.bias)


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(4, 3, requires_grad=True),)


def run(x):
    torch.manual_seed(1)
    net = Noisy(3, 2)  # built here: the class of this file runs
    return (net(x) * net(x)).sum()


def reference(x):
    torch.manual_seed(1)
    net = Noisy(3, 2)
    outs = [F.linear(x, net.weight + net.sigma * torch.empty(2, 3).normal_(0.0, 1.0), net.bias) for _ in range(2)]
    return (outs[0] * outs[1]).sum()
