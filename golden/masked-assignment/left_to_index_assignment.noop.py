# outplace-golden: no-findings
import torch


def run(z: torch.Tensor, idx: torch.Tensor):
    h = torch.sigmoid(z)
    h[:, 0] = 0  # an index, not a mask: IP104
    h[idx] = 1
    return h
