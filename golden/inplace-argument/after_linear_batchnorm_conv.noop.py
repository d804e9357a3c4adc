# outplace-golden: no-findings
import torch
import torch.nn as nn


def make_inputs():
    return (torch.randn(2, 3, 8, 8, requires_grad=True),)


def run(x):
    features = nn.Sequential(
        nn.Conv2d(3, 4, 3),
        nn.BatchNorm2d(4),
        nn.ReLU(inplace=True),  # BatchNorm does not save its output: correct, and saves memory
        nn.Conv2d(4, 4, 3),
        nn.ReLU(True),  # neither does a convolution
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16, 8),
        nn.ReLU(inplace=True),
        nn.Linear(8, 8),
        nn.GELU(),  # GELU saves its input, not its output
        nn.ReLU(inplace=True),
    )
    return features(x).sum()
