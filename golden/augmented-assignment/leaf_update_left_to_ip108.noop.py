# outplace-golden: no-findings
import torch


def sgd_step(lr: float):
    w = torch.randn(3, requires_grad=True)
    (w * w).sum().backward()
    w -= lr * w.grad  # a parameter update: IP108 wraps it in torch.no_grad(), never `w = w - ...`
    return w
