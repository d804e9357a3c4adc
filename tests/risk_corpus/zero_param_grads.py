# expect: clean
import torch


def zero_grads(model: torch.nn.Module):
    for p in model.parameters():
        if p.grad is not None:
            p.grad.zero_()
            p.grad.mul_(0.0)
