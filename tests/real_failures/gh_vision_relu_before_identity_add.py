# expect: error
# source: https://github.com/pytorch/vision/issues/807
# report: asked which in-place ReLUs are unsafe, the maintainer showed that swapping ResNet's ReLU and residual sum (relu, then `out += identity`) makes backward fail
# shape: forward: += onto the result of self.relu = nn.ReLU(inplace=True), which saved its output
import torch
import torch.nn as nn


class BasicBlock(nn.Module):
    def __init__(self, planes):
        super().__init__()
        self.conv1 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)

    def forward(self, x):
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        out = self.relu(out)
        out += identity  # <- error
        return out


def make_inputs():
    torch.manual_seed(0)
    return BasicBlock(4), torch.randn(2, 4, 6, 6, requires_grad=True)


def run(block, x):
    return block(x).square().mean()


def reference(block, x):
    out = block.relu(block.bn1(block.conv1(x)))
    out = block.relu(block.bn2(block.conv2(out)))
    return (out + x).square().mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
