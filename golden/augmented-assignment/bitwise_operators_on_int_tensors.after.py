import torch


def make_inputs():
    return (torch.arange(12).reshape(3, 4),)


def run(m: torch.Tensor):
    b = m * 3
    b &= 13
    b = b | 16
    b = b ^ 5
    b = b << 2
    b = b >> 1
    return b.sum()
