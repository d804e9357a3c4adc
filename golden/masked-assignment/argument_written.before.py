# outplace-golden: unsafe-fixes
import torch


def clamp_outliers(x: torch.Tensor):
    x[x > 3] = 3  # the caller's tensor changes too; the fix only rebinds the local name
    return x
