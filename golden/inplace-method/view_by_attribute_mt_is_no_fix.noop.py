# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(4, 6, requires_grad=True),)


def run(x):
    feat = torch.sigmoid(x)
    rows = feat.mT
    feat.mul_(2)  # `rows` shares feat's storage: it sees this write, a rebinding of `feat` it would not
    return rows.sum() + feat.sum()
