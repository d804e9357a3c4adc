# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(5, 4, requires_grad=True),)


def run(router_logits: torch.Tensor):
    routing_weights = F.softmax(router_logits, dim=-1)
    topk, _ = torch.topk(routing_weights.detach(), 2, dim=-1)
    routing_weights /= routing_weights.sum(dim=-1, keepdim=True)  # <- error
    return (routing_weights * torch.arange(4.0)).sum() + topk.sum()


def reference(router_logits):
    w = F.softmax(router_logits, dim=-1)
    topk, _ = torch.topk(w.detach(), 2, dim=-1)
    return (w / w.sum(dim=-1, keepdim=True) * torch.arange(4.0)).sum() + topk.sum()
