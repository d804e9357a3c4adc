# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(3, 4, requires_grad=True),)


def run(w: torch.Tensor):
    t = torch.ones(3, 4)
    y = t * w  # mul saves `t` to compute w's gradient
    t[:, 0] = 2
    return (y * t).sum()


def reference(w):
    t = torch.ones(3, 4)
    y = t * w
    t = torch.cat([torch.full((3, 1), 2.0), t[:, 1:]], dim=1)
    return (y * t).sum()
