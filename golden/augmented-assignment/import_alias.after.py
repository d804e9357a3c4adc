import torch as T


def make_inputs():
    return (T.randn(3, 2, requires_grad=True),)


def run(z: T.Tensor):
    h = T.softmax(z, dim=-1)
    h = h / 2
    return (h * z).sum()
