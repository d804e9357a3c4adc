import torch
import torch.nn.functional as F


def f(z):
    m = torch.exp(z)
    out = m.sum() + F.elu_(m)  # m.sum() runs before the write: hoisting the rebinding would change it, so no fix
    return out
