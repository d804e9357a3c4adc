# expect: error
# source: https://github.com/AggMan96/RK-Net/issues/9
# report: backward failed on the output of ReluBackward0 (an [8, 1, 96, 96] attention map); the map's borders were zeroed in place under `if self.polish:`, and `att = att.clone()` fixed it
# shape: forward: index assignments att[..., 0] = 0 into the output of a ReLU that saved it
import torch
import torch.nn as nn


class KeypointAttention(nn.Module):
    def __init__(self, channels, polish=True):
        super().__init__()
        self.polish = polish
        self.conv = nn.Conv2d(channels, 1, 3, padding=1)
        self.relu = nn.ReLU()

    def forward(self, x):
        att = self.relu(self.conv(x))
        if self.polish:
            att[:, :, :, 0] = 0  # <- error
            att[:, :, :, -1] = 0  # <- error
            att[:, :, 0, :] = 0  # <- error
            att[:, :, -1, :] = 0  # <- error
        return x * att


def make_inputs():
    torch.manual_seed(0)
    return KeypointAttention(3), torch.randn(2, 3, 5, 5, requires_grad=True)


def run(block, x):
    return block(x).pow(2).mean()


def reference(block, x):
    att = block.relu(block.conv(x))
    border = torch.ones_like(att)
    border[:, :, :, 0] = 0
    border[:, :, :, -1] = 0
    border[:, :, 0, :] = 0
    border[:, :, -1, :] = 0
    return (x * (att * border)).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
