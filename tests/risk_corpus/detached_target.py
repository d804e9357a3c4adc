# expect: clean
import torch


def log_stats(y: torch.Tensor):
    d = y.detach()
    d += 1
    d.mul_(2)
    return d
