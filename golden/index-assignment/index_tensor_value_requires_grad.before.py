# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(4, 3, requires_grad=True), torch.randn(2, 3, requires_grad=True), torch.tensor([0, 2])


def run(z: torch.Tensor, v: torch.Tensor, idx: torch.Tensor):
    h = torch.sigmoid(z)
    h[idx] = v  # v's gradient must flow
    return (h * h).sum()


def reference(z, v, idx):
    h = torch.sigmoid(z)
    h = torch.stack([v[0], h[1], v[1], h[3]])
    return (h * h).sum()
