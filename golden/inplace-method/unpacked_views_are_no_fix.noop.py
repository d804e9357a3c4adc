# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(4, 6, requires_grad=True),)


def run(x):
    h = torch.sigmoid(x)
    lo, hi = h.view(2, -1).unbind(0)
    h.mul_(2)  # `lo` and `hi` see this write; a rebinding of `h` they would not
    with torch.no_grad():  # with grad, torch refuses to read an unbind's view once its base changed
        seen = (lo * hi).sum()
    return seen + h.sum()
