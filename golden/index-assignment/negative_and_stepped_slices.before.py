# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(6, 3, requires_grad=True), torch.randn(3, requires_grad=True)


def run(z: torch.Tensor, v: torch.Tensor):
    h = torch.sigmoid(z)
    h[1:-1:2] = v  # broadcast over rows 1 and 3
    h[-2:] += 1
    return (h * h).sum()


def reference(z, v):
    h = torch.sigmoid(z)
    rows = [h[0], v, h[2], v, h[4] + 1, h[5] + 1]
    h = torch.stack(rows)
    return (h * h).sum()
