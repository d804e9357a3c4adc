# expect: clean
import numpy as np
import torch


def stats(x: torch.Tensor):
    acc = np.zeros(3)
    acc += 1
    acc *= x.detach().numpy().mean()
    return acc
