# outplace-golden: before-fails
import torch
import torch.nn as nn


def build(relu=True):
    return nn.Sequential(
        nn.Conv2d(3, 3, 1),
        nn.BatchNorm2d(3),
        nn.ReLU(inplace=True) if relu else nn.Identity(),  # after BatchNorm: correct, kept
        nn.Conv2d(3, 3, 1),
        nn.Sigmoid(),
        nn.ReLU() if relu else nn.Identity(),  # writes the sigmoid's saved output
    )


def make_inputs():
    return (torch.randn(2, 3, 4, 4, requires_grad=True),)


def run(images):
    torch.manual_seed(0)
    return build()(images).pow(2).sum()


def reference(images):
    torch.manual_seed(0)
    net = build()
    x = net[3](torch.relu(net[1](net[0](images))))
    return torch.relu(torch.sigmoid(x)).pow(2).sum()
