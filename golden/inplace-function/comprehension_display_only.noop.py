import torch


def f(z):
    hs = [torch.exp(z), torch.tanh(z)]
    return [torch.relu_(h) for h in hs]  # no statement to rebind in
