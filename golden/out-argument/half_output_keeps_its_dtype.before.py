# outplace-golden: unsafe-fixes
import torch


def make_inputs():
    return torch.randn(3, requires_grad=True), torch.randn(3, requires_grad=True)


def run(a, b):
    c = torch.empty(3, dtype=torch.float16)
    torch.add(a, b, out=c)  # float32 inputs, a float16 result: out= casts, and so must the rewrite
    torch.mul(c, 2, out=c)  # one dtype on both sides: no cast
    return (c * 3).sum()


def reference(a, b):
    return ((a + b).half() * 2 * 3).sum()
