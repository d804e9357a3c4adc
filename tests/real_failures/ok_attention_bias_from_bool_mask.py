# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/layers/attention.py
# report: resolve_self_attn_mask turns a boolean mask into an additive bias with zeros_like(...).masked_fill_(~mask, -inf), or builds a causal bias with new_full(..., -inf).triu_(1)
# shape: masked_fill_ / triu_ on fresh tensors built from zeros_like / new_full, added to scores before softmax
import torch
import torch.nn as nn


def resolve_self_attn_mask(seq_len, attn, attn_mask=None, is_causal=False):
    if is_causal:
        return attn.new_full((seq_len, seq_len), float("-inf")).triu_(1)
    if attn_mask is None:
        return None
    attn_bias = torch.zeros_like(attn_mask, dtype=attn.dtype)
    attn_bias.masked_fill_(~attn_mask, float("-inf"))
    return attn_bias


class Attention(nn.Module):
    def __init__(self, dim=6):
        super().__init__()
        self.qkv = nn.Linear(dim, dim * 3)
        self.scale = dim**-0.5

    def forward(self, x, attn_mask=None, is_causal=False):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        attn = (q * self.scale) @ k.transpose(-2, -1)
        bias = resolve_self_attn_mask(x.shape[1], attn, attn_mask, is_causal)
        if bias is not None:
            attn = attn + bias
        return attn.softmax(dim=-1) @ v


def make_inputs():
    torch.manual_seed(0)
    keep = torch.tensor([[True, True, True, False]]).expand(4, 4).unsqueeze(0)
    return Attention(), torch.randn(1, 4, 6, requires_grad=True), keep


def run(attention, x, keep):
    return attention(x, attn_mask=keep).pow(2).mean() + attention(x, is_causal=True).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
