# outplace-golden: no-findings
import math

import torch


def make_inputs():
    return (torch.randn(6, 8, requires_grad=True),)


def run(x: torch.Tensor):
    length, dim = x.shape
    position = torch.arange(length).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, dim, 2) * (-math.log(10000.0) / dim))
    pe = torch.zeros(length, dim)
    pe[:, 0::2] = torch.sin(position * div_term)  # a table autograd never tracks
    pe[:, 1::2] = torch.cos(position * div_term)
    mask = torch.ones(length, length)
    for i in range(length):
        mask[i, i + 1 :] = 0
    return ((x + pe) * mask.sum(1, keepdim=True)).sum()
