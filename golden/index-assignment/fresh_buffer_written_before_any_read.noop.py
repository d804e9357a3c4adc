# outplace-golden: no-findings
import torch


def make_inputs():
    return torch.randn(4, 6, requires_grad=True), torch.randn(4, requires_grad=True)


def run(x: torch.Tensor, w: torch.Tensor):
    shifted = x.new_zeros(x.shape)
    shifted[:, 1:] = x[:, :-1] * 2  # nothing can have saved a buffer no op has read yet
    shifted[:, 0] = w
    table = torch.empty(4, 2)
    for i in range(4):
        table[i, 0] = w[i] * 3  # written in a loop that never reads it
        table[i, 1] = x[i].sum()
    return (torch.sigmoid(shifted) * table.sum()).sum()
