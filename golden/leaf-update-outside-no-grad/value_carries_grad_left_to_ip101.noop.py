# outplace-golden: no-findings
import torch


def shifted(x: torch.Tensor):
    w = torch.ones(3, requires_grad=True)
    w += x  # x carries gradient: maybe meant as a computation, IP101's to rewrite out of place
    return w


def not_leaves(model, x: torch.Tensor):
    h = torch.ones(3, requires_grad=True) * 2  # not a leaf
    h -= 0.1
    g = torch.zeros(3, requires_grad=False)
    g += 1
    for p in model.parameters():
        p.grad.zero_()
    return h, g
