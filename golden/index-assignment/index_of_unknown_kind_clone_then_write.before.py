# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(4, 3, requires_grad=True), torch.tensor([0, 5, 1, 7]), torch.randn(3, requires_grad=True)


def run(z: torch.Tensor, counts, v: torch.Tensor):
    h = torch.sigmoid(z)
    over = counts >= 3  # `counts` may be a tensor: `over` may be a mask, not an int
    h[over] = v
    return (h * h).sum()


def reference(z, counts, v):
    h = torch.sigmoid(z)
    h = torch.where((counts >= 3)[:, None], v, h)
    return (h * h).sum()
