# outplace-golden: no-findings
import torch


def make_inputs():
    return (torch.randn(4, 5, requires_grad=True),)


def run(z: torch.Tensor):
    bias = torch.zeros(4, 5)
    bias[bias == 0] = float("-inf")  # a fresh tensor that never requires grad
    keep = torch.arange(5) < 3
    bias[:, keep] = 0.0
    return torch.softmax(z + bias, dim=-1).sum()
