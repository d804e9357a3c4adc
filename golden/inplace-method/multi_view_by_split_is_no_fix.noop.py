# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(4, 6, requires_grad=True),)


def run(x):
    feat = torch.sigmoid(x)
    rows, _ = torch.split(feat, 2)
    feat.mul_(2)  # `rows` shares feat's storage: it sees this write, a rebinding of `feat` it would not
    with torch.no_grad():  # with grad, torch refuses to read a split's view once its base changed
        seen = rows.sum()
    return seen + feat.sum()
