# outplace-golden: before-fails, unsafe-fixes
import torch


def make_inputs():
    return torch.randn(2, 3, requires_grad=True), torch.randn(3, 2, requires_grad=True)


def run(x: torch.Tensor, acc: torch.Tensor):
    out = torch.sigmoid(x)
    out.copy_(
        acc.flatten()
        .reshape(2, 3)
    )  # the argument spans lines: the template keeps it grouped
    y = torch.sigmoid(x)
    y.mul_(2)
    return (out * y).sum()


def reference(x, acc):
    return (acc.reshape(2, 3) * torch.sigmoid(x) * 2).sum()
