# expect: error
# source: https://github.com/rwightman/gen-efficientnet-pytorch/issues/16
# report: the maintainer explained that his first Mish multiplied its input in place (`x.mul_(inner)`) to save memory, and it triggered the in-place gradient error during training
# shape: helper called from a module's forward: x.mul_(softplus(x).tanh()) on its parameter, which softplus saved
import torch
import torch.nn as nn
import torch.nn.functional as F


def mish(x, inplace=False):
    inner = F.softplus(x).tanh()
    return x.mul_(inner) if inplace else x.mul(inner)  # <- error


class Mish(nn.Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return mish(x, self.inplace)


class ConvBnAct(nn.Module):
    def __init__(self, in_chs, out_chs, act_layer=Mish):
        super().__init__()
        self.conv = nn.Conv2d(in_chs, out_chs, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_chs)
        self.act1 = act_layer(inplace=True)

    def forward(self, x):
        return self.act1(self.bn1(self.conv(x)))


def make_inputs():
    torch.manual_seed(0)
    return ConvBnAct(3, 4), torch.randn(2, 3, 5, 5)


def run(block, images):
    return block(images).mean((2, 3)).pow(2).sum()


def reference(block, images):
    x = block.bn1(block.conv(images))
    return (x * F.softplus(x).tanh()).mean((2, 3)).pow(2).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
