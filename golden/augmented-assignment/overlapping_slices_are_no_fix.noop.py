import torch


def split(x: torch.Tensor, bins: int):
    params = torch.relu(x)
    widths = params[..., :bins]
    heights = params[..., bins - 1:]  # shares one column with `widths`: it must see the write
    widths /= 2
    return widths.sum() + heights.sum()
