# outplace-golden: no-findings
import torch
import torch.nn as nn
from torch.nn import init


def reset(w: torch.Tensor, b: torch.Tensor):
    nn.init.kaiming_normal_(w)
    torch.nn.init.zeros_(b)
    init.xavier_uniform_(w)
    nn.init.constant_(b, 0.1)
    return w, b
