# outplace-golden: no-findings
import torch
import torch.nn as nn


class PreActBlock(nn.Module):
    def __init__(self, channels, inplace=True):
        super().__init__()
        self.act = nn.ReLU(inplace=inplace)  # writes the caller's tensor: a BatchNorm output, saved by nothing
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        x = self.act(x)
        return self.conv(x)


class Unit(nn.Module):
    def __init__(self, channels, inplace=True):
        super().__init__()
        self.norm = nn.BatchNorm2d(channels)
        params = {"inplace": inplace}
        layers = [nn.Linear(5, 5)]
        layers.append(nn.ReLU(**params))  # after a Linear: correct, and it saves memory
        self.head = nn.Sequential(*layers)
        self.body = nn.Sequential(PreActBlock(channels), PreActBlock(channels))
        self.scale = nn.Parameter(torch.ones(channels, 1, 1))
        self.scale_act = nn.ReLU(inplace=True)

    def forward(self, x):
        x = self.norm(x)
        x = self.body(x)
        with torch.no_grad():
            self.scale_act(self.scale)  # clamps the parameter in place, on purpose
        return self.head(x * self.scale)


def make_inputs():
    return (torch.randn(2, 3, 5, 5, requires_grad=True),)


def run(images):
    torch.manual_seed(0)
    return Unit(3)(images).pow(2).sum()
