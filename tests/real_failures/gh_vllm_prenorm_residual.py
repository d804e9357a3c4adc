# expect: error
# source: https://github.com/vllm-project/vllm/pull/24500
# report: a change "preferring in-place add" rewrote `x = x + self.ls1(self.attn(self.norm1(x)))` as `x += ...`; review flagged that the norm saved x, so training backward fails
# shape: forward: x += f(norm(x)) where LayerNorm saved x (pre-norm transformer block with layer scale)
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim, heads=2):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(b, n, d))


class LayerScale(nn.Module):
    def __init__(self, dim, init_values=1e-1):
        super().__init__()
        self.gamma = nn.Parameter(init_values * torch.ones(dim))

    def forward(self, x):
        return x * self.gamma


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim)
        self.ls1 = LayerScale(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, dim * 2), nn.GELU(), nn.Linear(dim * 2, dim))
        self.ls2 = LayerScale(dim)

    def forward(self, x):
        x += self.ls1(self.attn(self.norm1(x)))  # <- error
        x += self.ls2(self.mlp(self.norm2(x)))  # <- error
        return x


class Encoder(nn.Module):
    def __init__(self, in_dim, dim, depth=2):
        super().__init__()
        self.embed = nn.Linear(in_dim, dim)
        self.blocks = nn.ModuleList([Block(dim) for _ in range(depth)])

    def forward(self, feats):
        x = self.embed(feats)
        for block in self.blocks:
            x = block(x)
        return x


def make_inputs():
    torch.manual_seed(0)
    return Encoder(6, 8), torch.randn(2, 5, 6)


def run(model, feats):
    return model(feats).pow(2).mean()


def reference(model, feats):
    x = model.embed(feats)
    for block in model.blocks:
        x = x + block.ls1(block.attn(block.norm1(x)))
        x = x + block.ls2(block.mlp(block.norm2(x)))
    return x.pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
