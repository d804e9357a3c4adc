# expect: error
# source: https://github.com/iMED-Lab/ER-Net/pull/3
# report: the 3D residual encoder block added its shortcut with `out += residual`; on torch 1.13 backward failed on the output of ReluBackward0
# shape: forward: += onto the output of an nn.Sequential that ends in ReLU (it saved its output)
import torch
import torch.nn as nn


class ResEncoder(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.Conv3d(in_channels, out_channels, 3, padding=1),
            nn.BatchNorm3d(out_channels),
            nn.ReLU(),
            nn.Conv3d(out_channels, out_channels, 3, padding=1),
            nn.BatchNorm3d(out_channels),
            nn.ReLU(),
        )
        self.shortcut = nn.Conv3d(in_channels, out_channels, 1)

    def forward(self, x):
        residual = self.shortcut(x)
        out = self.conv_block(x)
        out += residual  # <- error
        return out


def make_inputs():
    torch.manual_seed(0)
    return ResEncoder(2, 4), torch.randn(2, 2, 4, 4, 4)


def run(block, volume):
    return block(volume).pow(2).mean()


def reference(block, volume):
    residual = block.shortcut(volume)
    out = block.conv_block(volume) + residual
    return out.pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
