# outplace-golden: unsafe-fixes
import torch


def clipped(z: torch.Tensor):
    h = torch.sigmoid(z)
    first = h[0]
    h[h > 0.9] = 0.9  # `first` sees this write; after the fix it would not
    return first, h
