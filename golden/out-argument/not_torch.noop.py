# outplace-golden: no-findings
import numpy as np
import torch


def f(a, b, c, x):
    np.add(a, b, out=c)
    np.clip(a, 0, 1, out=a)
    torch.add(x, 1, out=None)  # out=None is no write
    print(x, out=c)
    return c
