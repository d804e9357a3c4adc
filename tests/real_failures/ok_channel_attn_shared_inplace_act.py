# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/layers/cbam.py
# report: CBAM's ChannelAttn runs the same fc1 -> act(inplace=True) -> fc2 stack on the average-pooled and the max-pooled features and gates x with their sum
# shape: one ReLU(inplace=True) module applied twice, each time to a fresh conv output
import torch
import torch.nn as nn


class ChannelAttn(nn.Module):
    def __init__(self, channels=8, rd_channels=2, act_layer=nn.ReLU):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, rd_channels, 1, bias=False)
        self.act = act_layer(inplace=True)
        self.fc2 = nn.Conv2d(rd_channels, channels, 1, bias=False)
        self.gate = nn.Sigmoid()

    def forward(self, x):
        x_avg = self.fc2(self.act(self.fc1(x.mean((2, 3), keepdim=True))))
        x_max = self.fc2(self.act(self.fc1(x.amax((2, 3), keepdim=True))))
        return x * self.gate(x_avg + x_max)


def make_inputs():
    torch.manual_seed(0)
    return ChannelAttn(), torch.randn(2, 8, 3, 3, requires_grad=True)


def run(attn, x):
    return attn(x).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
