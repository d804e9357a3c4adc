# outplace-golden: before-fails
import math

import torch


def make_inputs():
    torch.manual_seed(0)
    return torch.randn(6, 8, requires_grad=True), 4


def run(x: torch.Tensor, bins: int):
    params = torch.relu(x)  # relu saves its output: writing any view of it breaks backward
    widths = params[..., :bins]
    heights = params[..., bins:]  # the other side of the same bound: no element shared with `widths`
    widths = widths / math.sqrt(8)
    heights = heights / math.sqrt(8)
    return (torch.softmax(widths, dim=-1) * torch.softmax(heights, dim=-1)).sum()


def reference(x, bins):
    params = torch.relu(x) / math.sqrt(8)
    return (torch.softmax(params[..., :bins], dim=-1) * torch.softmax(params[..., bins:], dim=-1)).sum()
