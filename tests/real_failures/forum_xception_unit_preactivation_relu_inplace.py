# expect: error
# source: https://github.com/osmr/imgclsmob/issues/13
# report: training Xception failed on loss.backward(); its depthwise blocks start with nn.ReLU(inplace=True), which overwrites the unit input that the 1x1 shortcut conv had already read and saved; removing inplace=True fixed it
# shape: pre-activation nn.ReLU(inplace=True) at the start of a block body, on an input a shortcut conv saved
import torch
import torch.nn as nn


class DwsConvBlock(nn.Module):
    def __init__(self, in_channels, out_channels, activate):
        super().__init__()
        self.activate = activate
        if self.activate:
            self.activ = nn.ReLU(inplace=True)  # <- error
        self.dw_conv = nn.Conv2d(in_channels, in_channels, 3, padding=1, groups=in_channels, bias=False)
        self.pw_conv = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)

    def forward(self, x):
        if self.activate:
            x = self.activ(x)
        return self.bn(self.pw_conv(self.dw_conv(x)))


class XceptionUnit(nn.Module):
    def __init__(self, in_channels=4, out_channels=6):
        super().__init__()
        self.identity_conv = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, bias=False), nn.BatchNorm2d(out_channels))
        self.body = nn.Sequential(DwsConvBlock(in_channels, out_channels, True), DwsConvBlock(out_channels, out_channels, True))

    def forward(self, x):
        identity = self.identity_conv(x)
        x = self.body(x)
        return x + identity


def make_inputs():
    torch.manual_seed(0)
    return nn.Conv2d(3, 4, 3), XceptionUnit(), torch.randn(2, 3, 6, 6)


def run(stem, unit, images):
    return unit(stem(images)).pow(2).mean()


def reference(stem, unit, images):
    x = stem(images)
    identity = unit.identity_conv(x)
    for block in unit.body:
        x = block.bn(block.pw_conv(block.dw_conv(torch.relu(x))))
    return (x + identity).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
