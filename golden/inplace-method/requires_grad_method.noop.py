# outplace-golden: no-findings
import torch


def make_inputs():
    return (torch.randn(3),)


def run(x: torch.Tensor):
    w = torch.ones(3).requires_grad_()
    x.requires_grad_(True)
    return (w * x).sum()
