# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(2, 4, 4, requires_grad=True),)


def run(scores):
    attn = scores.softmax(dim=-1)
    keep = torch.ones(4, 4).tril()
    attn.mul_(keep)  # <- error
    return (attn * torch.arange(4.0)).sum()


def reference(scores):
    return (scores.softmax(dim=-1) * torch.ones(4, 4).tril() * torch.arange(4.0)).sum()
