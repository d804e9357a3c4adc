import torch


def make_inputs():
    return (torch.randn(3, requires_grad=True),)


def run(x):
    ema = torch.nn.Parameter(torch.zeros(3))
    out = torch.sigmoid(ema + x)
    ema.data.copy_(x.detach())  # sigmoid saved its output, not ema: this one is harmless, still reported
    return out.sum()
