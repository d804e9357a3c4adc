# outplace-golden: no-findings
import torch
import torch.nn as nn
import torch.nn.functional as F


def build(inplace: bool, act_layer):  # which layer class: decided by the caller
    return nn.Sequential(
        nn.Linear(4, 4), nn.Sigmoid(), nn.ReLU(inplace=inplace), act_layer(inplace=True), nn.ReLU(inplace=False)
    )


def forward(x, flag):
    y = F.relu(x, inplace=flag)
    z = F.dropout(y, 0.5, True, False)
    return torch.relu(z)  # torch.relu has no inplace argument
