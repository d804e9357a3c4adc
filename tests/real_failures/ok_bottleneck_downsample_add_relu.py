# expect: clean
# source: https://github.com/pytorch/vision/blob/main/torchvision/models/resnet.py
# report: torchvision's Bottleneck adds the (possibly downsampled) identity onto bn3's output with out += identity and uses one ReLU(inplace=True) module after every BatchNorm and after the add
# shape: out += identity (identity from a conv+bn downsample) onto a BatchNorm output; shared ReLU(inplace=True)
import torch
import torch.nn as nn


class Bottleneck(nn.Module):
    expansion = 2

    def __init__(self, inplanes=4, planes=2, stride=2):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = nn.Sequential(
            nn.Conv2d(inplanes, planes * self.expansion, 1, stride=stride, bias=False),
            nn.BatchNorm2d(planes * self.expansion),
        )

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu(out)
        return out


def make_inputs():
    torch.manual_seed(0)
    return Bottleneck(), torch.randn(2, 4, 6, 6, requires_grad=True)


def run(block, x):
    return block(x).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
