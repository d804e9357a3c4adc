# outplace-golden: no-findings
import torch


def make_inputs():
    return (torch.randn(4, 5, requires_grad=True),)


def run(z: torch.Tensor):
    h = torch.sigmoid(z)
    with torch.no_grad():
        g = h * 2
        g[:, 0] = 1
    return (h * g).sum()
