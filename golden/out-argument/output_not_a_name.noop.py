import torch


def f(a, b, buffers):
    torch.add(a, b, out=buffers[0])
    ys = [torch.mul(a, k, out=b) for k in range(3)]
    return buffers, ys
