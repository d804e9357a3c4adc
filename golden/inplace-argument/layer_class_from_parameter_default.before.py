# outplace-golden: before-fails
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, channels, act_layer=nn.ReLU):
        super().__init__()
        self.act = act_layer(inplace=True)  # an nn.ReLU unless the caller says otherwise
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        x = self.act(x)
        return self.conv(x)


class Unit(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.shortcut = nn.Conv2d(channels, channels, 1)
        self.block = Block(channels)

    def forward(self, x):
        skip = self.shortcut(x)  # saves x for its weight's gradient
        x = self.block(x)
        return x + skip


def make_inputs():
    return (torch.randn(2, 3, 4, 4, requires_grad=True),)


def run(images):
    torch.manual_seed(0)
    return Unit(3)(images * 2).pow(2).sum()


def reference(images):
    torch.manual_seed(0)
    unit = Unit(3)
    x = images * 2
    return (unit.block.conv(torch.relu(x)) + unit.shortcut(x)).pow(2).sum()
