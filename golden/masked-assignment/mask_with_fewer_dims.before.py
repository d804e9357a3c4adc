# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(4, 4, requires_grad=True), torch.tensor([1.0, -1.0, 2.0, -3.0])


def run(z: torch.Tensor, rows: torch.Tensor):
    h = torch.sigmoid(z)
    h[rows > 0] = 0.5  # selects whole rows: torch.where would broadcast the mask over columns
    return (h * h).sum()


def reference(z, rows):
    h = torch.sigmoid(z)
    h = torch.where((rows > 0)[:, None], torch.full_like(h, 0.5), h)
    return (h * h).sum()
