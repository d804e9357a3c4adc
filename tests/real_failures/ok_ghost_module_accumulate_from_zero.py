# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/models/ghostnet.py
# report: the re-parameterizable GhostModule sums its parallel conv branches with x1 = 0 and x1 += branch(x) in a loop, then sums the cheap branches the same way onto a fresh add result
# shape: += accumulation in a loop, starting from 0 and from an add output (nothing saved them)
import torch
import torch.nn as nn


class GhostModuleRep(nn.Module):
    def __init__(self, in_chs=3, out_chs=4, branches=2):
        super().__init__()
        half = out_chs // 2
        self.primary_rpr_conv = nn.ModuleList(nn.Conv2d(in_chs, half, 1, bias=False) for _ in range(branches))
        self.primary_activation = nn.ReLU(inplace=True)
        self.cheap_rpr_scale = nn.Conv2d(half, half, 1, groups=half, bias=False)
        self.cheap_rpr_conv = nn.ModuleList(nn.Conv2d(half, half, 3, padding=1, groups=half) for _ in range(branches))
        self.cheap_activation = nn.ReLU(inplace=True)

    def forward(self, x):
        x1 = 0
        for primary_rpr_conv in self.primary_rpr_conv:
            x1 += primary_rpr_conv(x)
        x1 = self.primary_activation(x1)
        x2 = self.cheap_rpr_scale(x1) + x1
        for cheap_rpr_conv in self.cheap_rpr_conv:
            x2 += cheap_rpr_conv(x1)
        x2 = self.cheap_activation(x2)
        return torch.cat([x1, x2], dim=1)


def make_inputs():
    torch.manual_seed(0)
    return GhostModuleRep(), torch.randn(2, 3, 5, 5, requires_grad=True)


def run(module, x):
    return module(x).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
