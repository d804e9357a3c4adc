# expect: clean
import torch


def stable_softmax(x: torch.Tensor):
    m = x.max(-1, keepdim=True).values
    e = (x - m).exp_()
    return e / e.sum(-1, keepdim=True)
