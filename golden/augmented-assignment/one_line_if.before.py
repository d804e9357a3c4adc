import torch


def make_inputs():
    return torch.randn(4, requires_grad=True), True


def run(z: torch.Tensor, shift: bool):
    h = torch.sigmoid(z)
    if shift: h += 1
    for _ in range(2): h *= 2; h -= 1
    return h.sum()
