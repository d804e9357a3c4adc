# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/models/resnet.py
# report: BasicBlock adds the shortcut onto the second BatchNorm output with x += shortcut and applies ReLU(inplace=True); BatchNorm does not keep its output and ReLU(inplace) after conv/bn is the standard pattern
# shape: x += shortcut onto a BatchNorm output, ReLU(inplace=True) after BatchNorm and after the add
import torch
import torch.nn as nn


class BasicBlock(nn.Module):
    def __init__(self, channels=4):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.act1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.act2 = nn.ReLU(inplace=True)

    def forward(self, x):
        shortcut = x
        x = self.conv1(x)
        x = self.bn1(x)
        x = self.act1(x)
        x = self.conv2(x)
        x = self.bn2(x)
        x += shortcut
        x = self.act2(x)
        return x


def make_inputs():
    torch.manual_seed(0)
    return nn.Conv2d(3, 4, 3, padding=1), BasicBlock(), torch.randn(2, 3, 5, 5)


def run(stem, block, images):
    return block(stem(images)).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
