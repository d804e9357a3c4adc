# outplace-golden: unsafe-fixes
import torch


def f(z):
    h = torch.exp(z)
    v = h.view(-1)
    torch.tanh_(h)  # v sees the write; after the rewrite it does not
    return h, v
