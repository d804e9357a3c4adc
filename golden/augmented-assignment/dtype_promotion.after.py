# outplace-golden: unsafe-fixes
import torch


def accumulate(x: torch.Tensor, y: torch.Tensor):
    h = x * 2
    h = h + y.double()  # in place keeps float32; out of place promotes to float64
    return h
