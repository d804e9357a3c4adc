# outplace-golden: no-findings
import torch


def run(z: torch.Tensor):
    h = torch.sigmoid(z)
    h[h > 0.5] = 0  # a boolean mask: IP103
    h[torch.isnan(h)] = 1
    return h
