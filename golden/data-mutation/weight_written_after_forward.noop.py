import torch


def make_inputs():
    return (torch.nn.Parameter(torch.ones(3)),)


def run(w):
    y = (w * w).sum()
    w.data.add_(1)  # mul saved w: backward silently uses 2 instead of 1
    return y
