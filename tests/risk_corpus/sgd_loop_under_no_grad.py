# expect: clean
import torch


def sgd(params, lr):
    with torch.no_grad():
        for p in params:
            p.add_(p.grad, alpha=-lr)
            p -= 0.0 * p
