# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(3, 4, requires_grad=True), torch.randn(4, requires_grad=True)


def run(z: torch.Tensor, v: torch.Tensor):
    h = torch.exp(z.half())
    h = (h + v * 2).to(h.dtype)  # a float32 tensor added into a half one: in place, the sum is rounded to half
    assert h.dtype == torch.half
    return (h.float() * 3).sum()


def reference(z, v):
    h = torch.exp(z.half())
    h = (h.float() + v * 2).half()
    return (h.float() * 3).sum()
