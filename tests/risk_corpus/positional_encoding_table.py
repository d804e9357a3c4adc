# expect: clean
import math
import torch


def sinusoid(max_len: int, d: int):
    position = torch.arange(max_len).unsqueeze(1).float()
    position += 1.0
    div_term = torch.exp(torch.arange(0, d, 2).float() * (-math.log(10000.0) / d))
    pe = torch.zeros(max_len, d)
    pe.mul_(2.0)
    div_term *= 1.0
    return pe, position * div_term
