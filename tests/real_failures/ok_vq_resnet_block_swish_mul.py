# expect: clean
# source: https://github.com/huggingface/transformers/blob/main/src/transformers/models/emu3/modeling_emu3.py
# report: the VQ-VAE resnet block applies swish as hidden_states *= torch.sigmoid(hidden_states) right after each norm layer; the norm saved its input, sigmoid saved its own output, and mul_ keeps what it needs
# shape: *= torch.sigmoid(x) on a GroupNorm output
import torch
import torch.nn as nn


class ResnetBlock(nn.Module):
    def __init__(self, channels=4):
        super().__init__()
        self.norm1 = nn.GroupNorm(2, channels)
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.norm2 = nn.GroupNorm(2, channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, hidden_states):
        residual = hidden_states
        hidden_states = self.norm1(hidden_states)
        hidden_states *= torch.sigmoid(hidden_states)
        hidden_states = self.conv1(hidden_states)
        hidden_states = self.norm2(hidden_states)
        hidden_states *= torch.sigmoid(hidden_states)
        hidden_states = self.conv2(hidden_states)
        return residual + hidden_states


def make_inputs():
    torch.manual_seed(0)
    return ResnetBlock(), torch.randn(2, 4, 5, 5, requires_grad=True)


def run(block, x):
    return block(x).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
