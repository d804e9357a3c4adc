# outplace-golden: no-findings
import numpy as np
import torch


def accumulate(t: torch.Tensor):
    arr = np.zeros(3)
    arr.add_(1)  # a numpy-like array library with torch-style methods
    names = []
    names.add_("x")
    count = len(names)
    count.add_(1)
    return t * 2
