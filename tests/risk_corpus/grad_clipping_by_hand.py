# expect: clean
import torch


def clip(params, max_norm: float):
    for p in params:
        g = p.grad
        g.mul_(0.5)
        g.clamp_(-max_norm, max_norm)
