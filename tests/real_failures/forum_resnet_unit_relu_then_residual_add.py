# expect: error
# source: http://discuss.pytorch.org/t/in-place-operation-and-resnet/10724
# report: a residual unit (conv, bn, relu in place) failed on backward; the branch was computed from x by a conv, then added onto x with +=, and that conv had saved x
# shape: forward: x += branch after a conv saved x (x came out of F.relu(inplace=True))
import torch
import torch.nn as nn
import torch.nn.functional as F


class ResidualUnit(nn.Module):
    def __init__(self, channels=4):
        super().__init__()
        self.conv_0 = nn.Conv2d(3, channels, 3, padding=1, bias=False)
        self.bn_0 = nn.BatchNorm2d(channels)
        self.conv_1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn_1 = nn.BatchNorm2d(channels)

    def forward(self, x):
        x = self.conv_0(x)
        x = self.bn_0(x)
        x = F.relu(x, inplace=True)
        residual = self.conv_1(x)
        residual = self.bn_1(residual)
        x += residual  # <- error
        x = F.relu(x, inplace=True)
        return x


def make_inputs():
    torch.manual_seed(0)
    return ResidualUnit(), torch.randn(2, 3, 6, 6)


def run(unit, images):
    return unit(images).pow(2).mean()


def reference(unit, images):
    x = F.relu(unit.bn_0(unit.conv_0(images)))
    x = x + unit.bn_1(unit.conv_1(x))
    return F.relu(x).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
