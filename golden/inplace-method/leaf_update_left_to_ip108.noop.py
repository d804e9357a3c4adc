# outplace-golden: no-findings
import torch


def sgd_step(lr: float):
    w = torch.zeros(3).requires_grad_()
    (w * w).sum().backward()
    g = w.grad
    w.sub_(lr * g)  # a parameter update: IP108 wraps it in torch.no_grad(), never `w = w.sub(...)`
    w.mul_(0.9)
    return w
