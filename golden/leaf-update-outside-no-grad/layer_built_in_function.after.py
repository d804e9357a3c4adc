# outplace-golden: before-fails, unsafe-fixes
import torch
import torch.nn as nn


def fold_scale(linear, scale):
    folded = nn.Linear(linear.in_features, linear.out_features)
    with torch.no_grad():
        folded.weight[:, :] = linear.weight * scale
        folded.bias[:] = linear.bias * scale
    return folded


def make_inputs():
    torch.manual_seed(0)
    return nn.Linear(3, 2), torch.randn(4, 3)


def run(linear, x):
    return fold_scale(linear, 0.5)(x).pow(2).sum()


def reference(linear, x):
    folded = nn.Linear(3, 2)
    with torch.no_grad():
        folded.weight.copy_(linear.weight * 0.5)
        folded.bias.copy_(linear.bias * 0.5)
    return folded(x).pow(2).sum()
