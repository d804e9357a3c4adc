# expect: error
# source: https://github.com/mosaicml/llm-foundry/issues/1046
# report: fine-tuning the exported MPT prefix-LM with attention dropout set crashed in backward; anomaly mode pointed at SoftmaxBackward0 in the attention function
# shape: function called from forward: F.dropout(..., inplace=True) on the output of torch.softmax
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def scaled_multihead_dot_product_attention(query, key, value, n_heads, dropout_p=0.0, training=False):
    b, s, d = query.shape
    q = query.view(b, s, n_heads, d // n_heads).transpose(1, 2)
    k = key.view(b, s, n_heads, d // n_heads).permute(0, 2, 3, 1)
    v = value.view(b, s, n_heads, d // n_heads).transpose(1, 2)
    attn_weight = q.matmul(k) * (1 / math.sqrt(d // n_heads))
    causal = torch.ones(s, s, dtype=torch.bool).tril()
    attn_weight = attn_weight.masked_fill(~causal, torch.finfo(q.dtype).min)
    attn_weight = torch.softmax(attn_weight, dim=-1)
    if dropout_p:
        attn_weight = F.dropout(attn_weight, p=dropout_p, training=training, inplace=True)  # <- error
    out = attn_weight.matmul(v)
    return out.transpose(1, 2).reshape(b, s, d)


class MultiheadAttention(nn.Module):
    def __init__(self, d_model, n_heads, attn_pdrop):
        super().__init__()
        self.n_heads = n_heads
        self.attn_pdrop = attn_pdrop
        self.Wqkv = nn.Linear(d_model, 3 * d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x):
        query, key, value = self.Wqkv(x).chunk(3, dim=2)
        context = scaled_multihead_dot_product_attention(
            query, key, value, self.n_heads, dropout_p=self.attn_pdrop, training=self.training)
        return self.out_proj(context)


def make_inputs():
    torch.manual_seed(0)
    return MultiheadAttention(8, 2, 0.1), torch.randn(2, 4, 8)


def run(attn, x):
    return attn(x).pow(2).mean()


def reference(attn, x):
    q, k, v = attn.Wqkv(x).chunk(3, dim=2)
    b, s, d = q.shape
    h = attn.n_heads
    w = q.view(b, s, h, d // h).transpose(1, 2).matmul(k.view(b, s, h, d // h).permute(0, 2, 3, 1))
    w = (w * (1 / math.sqrt(d // h))).masked_fill(~torch.ones(s, s, dtype=torch.bool).tril(), torch.finfo(q.dtype).min)
    w = F.dropout(torch.softmax(w, dim=-1), p=0.1, training=True)
    out = w.matmul(v.view(b, s, h, d // h).transpose(1, 2)).transpose(1, 2).reshape(b, s, d)
    return attn.out_proj(out).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
