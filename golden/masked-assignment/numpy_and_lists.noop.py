# outplace-golden: no-findings
import numpy as np
import torch


def prepare(values: list, x: torch.Tensor):
    arr = np.zeros(5)
    arr[arr == 0] = 1
    values[values == 0] = 2
    return arr, values, x
