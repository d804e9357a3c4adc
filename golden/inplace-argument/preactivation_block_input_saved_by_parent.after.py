# outplace-golden: before-fails
import torch
import torch.nn as nn


class PreActBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.act = nn.ReLU()  # writes the caller's tensor: the parent's shortcut saved it
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        x = self.act(x)
        return self.conv(x)


class Unit(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.shortcut = nn.Conv2d(channels, channels, 1)
        self.body = nn.Sequential(PreActBlock(channels), PreActBlock(channels))

    def forward(self, x):
        skip = self.shortcut(x)
        x = self.body(x)
        return x + skip


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(2, 3, 5, 5, requires_grad=True),)


def run(images):
    unit = Unit(3)
    return unit(images * 2).pow(2).sum()


def reference(images):
    unit = Unit(3)
    x = images * 2
    skip = unit.shortcut(x)
    for block in unit.body:
        x = block.conv(torch.relu(x))
    return (x + skip).pow(2).sum()
