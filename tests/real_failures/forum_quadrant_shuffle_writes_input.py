# expect: error
# source: https://github.com/Jee-King/TSAN/issues/3
# report: training the super-resolution model raised the in-place error; the quadrant-shuffle block did out = x and then wrote its quadrants, and x had been saved by the other branch's conv (fix: out = x.clone())
# shape: forward: slice assignment into an alias of the block input, which another branch's conv saved
import torch
import torch.nn as nn


class QuadrantShuffle(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.mix = nn.Conv2d(channels * 2, channels * 2, 1, bias=False)

    def forward(self, x):
        h, c = x.size(2) // 2, x.size(1)
        mixed = self.mix(torch.cat([x[:, :, :h], x[:, :, h:]], 1))
        out = x
        out[:, :, :h] = mixed[:, :c]  # <- error
        out[:, :, h:] = mixed[:, c:]  # <- error
        return out


class TwoBranchBlock(nn.Module):
    def __init__(self, channels=2):
        super().__init__()
        self.dense = nn.Conv2d(channels, channels, 3, padding=1)
        self.shuffle = QuadrantShuffle(channels)
        self.gate = nn.Conv2d(channels, channels, 3, padding=1, bias=False)

    def forward(self, x):
        down = self.dense(x)
        top = torch.sigmoid(self.gate(self.shuffle(x)))
        return down * top


def make_inputs():
    torch.manual_seed(0)
    return nn.Conv2d(1, 2, 1), TwoBranchBlock(), torch.randn(1, 1, 4, 4)


def run(stem, block, images):
    first_out = torch.relu(stem(images))
    return block(first_out).pow(2).sum()


def reference(stem, block, images):
    x = torch.relu(stem(images))
    h, c = x.size(2) // 2, x.size(1)
    mixed = block.shuffle.mix(torch.cat([x[:, :, :h], x[:, :, h:]], 1))
    shuffled = torch.cat([mixed[:, :c], mixed[:, c:]], 2)
    return (block.dense(x) * torch.sigmoid(block.gate(shuffled))).pow(2).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
