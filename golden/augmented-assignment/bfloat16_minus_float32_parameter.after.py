# outplace-golden: before-fails
import torch
from torch import nn


class Shift(nn.Module):
    def __init__(self):
        super().__init__()
        self.shift = nn.Parameter(torch.full((4,), 0.3))

    def forward(self, x):
        y = torch.exp(x)
        y = (y - self.shift).to(y.dtype)  # a bfloat16 `y` (the caller's `.to`) minus a float32 parameter stays bfloat16
        return y


def make_inputs():
    return (torch.randn(3, 4, requires_grad=True),)


def run(x):
    return (Shift()(x.to(torch.bfloat16)) * 3).sum()


def reference(x):
    y = (torch.exp(x.to(torch.bfloat16)).float() - 0.3).to(torch.bfloat16)
    return (y * 3).sum()
