# outplace-golden: unsafe-fixes
import torch


def shifted(z: torch.Tensor):
    h = torch.tanh(z)
    row = h[0]
    h[:, 0] = 0  # `row` sees this write; after the fix it would not
    return row, h
