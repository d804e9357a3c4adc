# outplace-golden: before-fails
import torch


def damped(x, scale):
    h = torch.tanh(x)
    h.mul_(scale)  # a bfloat16 `h` times a float32 `scale` stays bfloat16 in place
    h.sub_(h.mean())  # made from `h`: no cast
    return h


def make_inputs():
    return torch.randn(3, 4, requires_grad=True), torch.rand(4, requires_grad=True)


def run(x, scale):
    return (damped(x.bfloat16(), scale) * 3).sum()
