# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(3, 4, requires_grad=True), torch.randn(4)


def run(z, low):
    h = torch.exp(z.bfloat16())
    torch.clamp_(h, low)  # a float32 bound: in place, `h` stays bfloat16
    torch.clamp_(h, 0.5, 4.0)  # numbers: no cast
    return (h * 3).sum()
