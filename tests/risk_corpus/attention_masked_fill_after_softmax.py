# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(2, 4, 4, requires_grad=True),)


def run(scores):
    attn = torch.softmax(scores, -1)
    mask = torch.ones(4, 4).triu(1).bool()
    attn.masked_fill_(mask, 0.0)  # <- error
    return (attn * torch.arange(4.0)).sum()


def reference(scores):
    attn = torch.softmax(scores, -1).masked_fill(torch.ones(4, 4).triu(1).bool(), 0.0)
    return (attn * torch.arange(4.0)).sum()
