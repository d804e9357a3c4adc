# outplace-golden: before-fails, unsafe-fixes
import torch
import torch.nn as nn
import torch.nn.functional as F


class Neck(nn.Module):
    def __init__(self):
        super().__init__()
        self.laterals = nn.ModuleList([nn.Sequential(nn.Conv2d(c, 2, 1), nn.ReLU()) for c in (3, 4)])

    def forward(self, feats):
        outs = [conv(f) for conv, f in zip(self.laterals, feats)]
        outs[0] = outs[0] + F.interpolate(outs[1], scale_factor=2.0)  # the ReLU saved outs[0]
        return outs


def make_inputs():
    torch.manual_seed(0)
    return torch.randn(1, 3, 4, 4, requires_grad=True), torch.randn(1, 4, 2, 2, requires_grad=True)


def run(a, b):
    torch.manual_seed(0)  # the module lives in this file: before and after build their own
    return sum(o.pow(2).sum() for o in Neck()([a, b]))


def reference(a, b):
    torch.manual_seed(0)
    neck = Neck()
    low, high = neck.laterals[0](a), neck.laterals[1](b)
    return (low + F.interpolate(high, scale_factor=2.0)).pow(2).sum() + high.pow(2).sum()
