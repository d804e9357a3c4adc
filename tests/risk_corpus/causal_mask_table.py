# expect: clean
import torch


def causal_mask(n: int):
    mask = torch.ones(n, n).triu(1)
    mask.masked_fill_(mask.bool(), float("-inf"))
    mask += 0.0
    return mask
