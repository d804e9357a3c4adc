# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(3, 4, requires_grad=True), torch.randn(4, requires_grad=True)


def run(z: torch.Tensor, v: torch.Tensor):
    h = torch.sigmoid(z.half())
    h.mul_(v).add_(1)  # float32 factors: in place, each product is rounded to half
    assert h.dtype == torch.half
    return (h.float() * 3).sum()


def reference(z, v):
    h = torch.sigmoid(z.half())
    h = ((h.float() * v).half() + 1).half()
    return (h.float() * 3).sum()
