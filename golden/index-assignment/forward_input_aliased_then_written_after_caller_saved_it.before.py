# outplace-golden: before-fails, unsafe-fixes
import torch
import torch.nn as nn


class HalfSwap(nn.Module):
    def forward(self, x):
        h = x.size(1) // 2
        top = x[:, :h] * 2
        out = x
        out[:, :h] = top  # writes the caller's x, which its Linear saved
        return out


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 4)
        self.swap = HalfSwap()

    def forward(self, x):
        a = self.proj(x)
        b = self.swap(x)
        return a * b


def make_inputs():
    return (torch.randn(3, 4, requires_grad=True),)


def run(x):
    torch.manual_seed(0)  # the modules live in this file: before and after build their own
    return Block()(x * 1).sum()


def reference(x):
    torch.manual_seed(0)
    block = Block()
    x = x * 1
    b = torch.cat([x[:, :2] * 2, x[:, 2:]], 1)
    return (block.proj(x) * b).sum()
