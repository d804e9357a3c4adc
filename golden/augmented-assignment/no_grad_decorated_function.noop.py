# outplace-golden: no-findings
import torch


@torch.no_grad()
def update(w: torch.Tensor, lr: float):
    step = w.grad * lr
    step *= 0.5
    w -= step
    return w
