# outplace-golden: before-fails
from collections import OrderedDict

import torch
import torch.nn as nn


def make_inputs():
    return (torch.randn(3, 4, requires_grad=True),)


def run(x):
    net = nn.Sequential(
        OrderedDict(
            [
                ("fc1", nn.Linear(4, 4)),
                ("norm", nn.LayerNorm(4)),
                ("relu1", nn.ReLU(inplace=True)),  # after LayerNorm: fine, kept
                ("fc2", nn.Linear(4, 4)),
                ("gate", nn.Sigmoid()),
                ("relu2", nn.ReLU(inplace=True)),
            ]
        )
    )
    return net(x).sum()
