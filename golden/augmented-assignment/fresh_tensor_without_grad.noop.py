# outplace-golden: no-findings
import torch


def make_inputs():
    return (torch.randn(3, requires_grad=True),)


def run(x: torch.Tensor):
    counts = torch.zeros(3)
    counts += 1  # a fresh tensor that does not require grad: autograd never sees it
    bits = torch.randint(0, 8, (3,))
    bits <<= 1
    return (x * counts).sum() + bits.sum()
