import torch as T


def step(lr: float):
    w = T.ones(3, requires_grad=True)
    (w * w).sum().backward()
    w -= lr * w.grad
    return w
