# expect: error
# source: https://github.com/osmr/imgclsmob/issues/13
# report: training Xception failed in backward; `self.activ = nn.ReLU(inplace=True)` at the start of a unit's body overwrote the input that the identity branch had saved
# shape: nn.ReLU(inplace=True) first in a body Sequential, applied to x after the identity conv saved x
import torch
import torch.nn as nn


class DwsConv(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.dw = nn.Conv2d(in_channels, in_channels, 3, padding=1, groups=in_channels, bias=False)
        self.pw = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)

    def forward(self, x):
        return self.bn(self.pw(self.dw(x)))


class XceptionUnit(nn.Module):
    def __init__(self, in_channels, out_channels, reps, start_with_relu=True):
        super().__init__()
        self.identity_conv = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, bias=False),
                                           nn.BatchNorm2d(out_channels))
        self.body = nn.Sequential()
        for i in range(reps):
            if start_with_relu or i != 0:
                self.body.add_module(f"activ{i + 1}", nn.ReLU(inplace=True))  # <- error
            self.body.add_module(f"conv{i + 1}", DwsConv(in_channels if i == 0 else out_channels, out_channels))

    def forward(self, x):
        identity = self.identity_conv(x)
        x = self.body(x)
        return x + identity


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4))
        self.unit = XceptionUnit(4, 6, reps=2)

    def forward(self, x):
        return self.unit(self.stem(x)).mean((2, 3))


def make_inputs():
    torch.manual_seed(0)
    return Net(), torch.randn(2, 3, 5, 5)


def run(net, images):
    return net(images).pow(2).sum()


def reference(net, images):
    x = net.stem(images)
    unit = net.unit
    identity = unit.identity_conv(x)
    h = unit.body.conv1(torch.relu(x))
    h = unit.body.conv2(torch.relu(h))
    return (h + identity).mean((2, 3)).pow(2).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
