# outplace-golden: no-findings
import torch


def make_inputs():
    return (torch.randn(3, requires_grad=True),)


def run(z: torch.Tensor):
    h = z * 2
    h += 1  # noqa: IP101
    return h.sum()
