# expect: same
# Speculative-decoding residual: `q` is bound to a view of the softmax output only in the
# `if` branch; the `else` branch divides the fresh `clamp` result, which nothing saved.
import torch


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(2, 5, requires_grad=True), torch.randn(2, 5, requires_grad=True))


def run(logits, draft_logits):
    p = logits.softmax(dim=-1)
    q = torch.clamp(p - draft_logits.softmax(dim=-1), min=0)
    total = q.sum()
    if total <= 1e-12:
        q = p[0]
    else:
        q.div_(total)
    return (q * torch.arange(5.0)).sum()
