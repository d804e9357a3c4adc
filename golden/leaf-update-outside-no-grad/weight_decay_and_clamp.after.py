# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(4, requires_grad=True),)


def run(x):
    w = torch.nn.Parameter(torch.linspace(-2.0, 2.0, 4))
    with torch.no_grad():
        w.mul_(0.5)
        w.clamp_(min=-0.6, max=0.6)
    return (w * x).sum()


def reference(x):
    return (torch.linspace(-2.0, 2.0, 4).mul(0.5).clamp(-0.6, 0.6) * x).sum()
