# outplace-golden: before-fails
import torch
import torch.nn as nn


def make_inputs():
    return (torch.randn(3, 4, requires_grad=True),)


def run(x):
    layers = [
        nn.Linear(4, 4),
        nn.Sigmoid(),
        nn.Identity(),  # hands sigmoid's output on unchanged
        nn.ReLU(),
        nn.Linear(4, 4),
        nn.ReLU(inplace=True),  # after a Linear: fine, kept
    ]
    return nn.Sequential(*layers)(x).sum()
