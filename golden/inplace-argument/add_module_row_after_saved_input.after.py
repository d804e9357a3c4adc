# outplace-golden: before-fails
import torch
import torch.nn as nn


class Unit(nn.Module):
    def __init__(self, channels, reps, start_with_relu=True):
        super().__init__()
        self.skip = nn.Sequential(nn.Conv2d(channels, channels, 1), nn.BatchNorm2d(channels))
        self.body = nn.Sequential()
        for i in range(reps):
            if start_with_relu or i > 0:
                self.body.add_module(f"act{i}", nn.ReLU())  # the first receives `x`, which `skip` saved
            self.body.add_module(f"conv{i}", nn.Conv2d(channels, channels, 3, padding=1))

    def forward(self, x):
        identity = self.skip(x)
        x = self.body(x)
        return x + identity


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(2, 3, 5, 5, requires_grad=True),)


def run(images):
    unit = Unit(3, 2)
    return unit(images + 1).pow(2).sum()


def reference(images):
    unit = Unit(3, 2)
    x = images + 1
    identity = unit.skip(x)
    h = unit.body.conv1(torch.relu(unit.body.conv0(torch.relu(x))))
    return (h + identity).pow(2).sum()
