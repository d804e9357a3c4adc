# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/layers/layer_scale.py
# report: LayerScale(inplace=True) multiplies the branch output by the learnable gamma with x.mul_(self.gamma); the branch ends in a Linear, which saved nothing that mul_ overwrites
# shape: mul_ by a parameter on a Linear output (module flag inplace=True)
import torch
import torch.nn as nn


class LayerScale(nn.Module):
    def __init__(self, dim, init_values=1e-1, inplace=False):
        super().__init__()
        self.inplace = inplace
        self.gamma = nn.Parameter(init_values * torch.ones(dim))

    def forward(self, x):
        return x.mul_(self.gamma) if self.inplace else x * self.gamma


class Block(nn.Module):
    def __init__(self, dim=6):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, dim * 2), nn.GELU(), nn.Linear(dim * 2, dim))
        self.ls1 = LayerScale(dim, inplace=True)

    def forward(self, x):
        return x + self.ls1(self.mlp(self.norm1(x)))


def make_inputs():
    torch.manual_seed(0)
    return Block(), torch.randn(2, 3, 6, requires_grad=True)


def run(block, x):
    return block(x).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
