# outplace-golden: unsafe-fixes
import torch


def shifted(z: torch.Tensor):
    x = z * 2
    v = x.view(-1)
    x += 1  # also changes `v`
    return v, x
