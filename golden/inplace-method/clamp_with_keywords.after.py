import torch


def make_inputs():
    return (torch.randn(8, requires_grad=True),)


def run(z: torch.Tensor):
    h = torch.sigmoid(z)  # sigmoid saves its result
    h = h.clamp(min=-1.0, max=1.0)
    return h.sum()
