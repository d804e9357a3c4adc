# outplace-golden: no-findings
import torch


def clear(params: list[torch.Tensor]):
    for p in params:
        if p.grad is not None:
            p.grad.zero_()
