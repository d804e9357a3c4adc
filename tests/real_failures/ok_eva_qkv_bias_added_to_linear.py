# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/models/eva.py
# report: EVA attention with separate q/k/v biases computes qkv = self.qkv(x) and then adds the concatenated bias with qkv += qkv_bias; the Linear saved its input, not its output
# shape: += onto a Linear output inside attention forward
import torch
import torch.nn as nn


class EvaAttention(nn.Module):
    def __init__(self, dim=8, num_heads=2):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=False)
        self.q_bias = nn.Parameter(torch.randn(dim) * 0.1)
        self.register_buffer("k_bias", torch.zeros(dim), persistent=False)
        self.v_bias = nn.Parameter(torch.randn(dim) * 0.1)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv_bias = torch.cat((self.q_bias, self.k_bias, self.v_bias))
        qkv = self.qkv(x)
        qkv += qkv_bias
        q, k, v = qkv.reshape(B, N, 3, self.num_heads, -1).permute(2, 0, 3, 1, 4).unbind(0)
        attn = (q * self.scale @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C))


def make_inputs():
    torch.manual_seed(0)
    return EvaAttention(), torch.randn(2, 5, 8, requires_grad=True)


def run(attention, x):
    return attention(x).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
