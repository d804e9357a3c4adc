# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(4, 3, requires_grad=True), torch.tensor([1, 3])


def run(z: torch.Tensor, idx: torch.Tensor):
    h = torch.tanh(z)
    h[idx] *= 3
    return (h * h).sum()


def reference(z, idx):
    h = torch.tanh(z)
    h = torch.stack([h[0], h[1] * 3, h[2], h[3] * 3])
    return (h * h).sum()
