# outplace-golden: no-findings
import torch


def make_inputs():
    return (torch.randn(3, requires_grad=True),)


def run(w: torch.Tensor):
    with torch.no_grad():
        w.add_(w * -0.1)  # an optimiser step: autograd does not record it
    return (w * w).sum()
