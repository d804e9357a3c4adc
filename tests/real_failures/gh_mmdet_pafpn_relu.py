# expect: error
# source: https://github.com/open-mmlab/mmdetection/pull/9450
# report: PAFPN with act_cfg=dict(type='ReLU') failed in backward; the fix stopped adding the top-down and bottom-up paths in place
# shape: forward: list element targets laterals[i - 1] += ... and inter_outs[i + 1] += ... onto outputs of ConvModules ending in ReLU
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvModule(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2)
        self.activate = nn.ReLU() if act else nn.Identity()

    def forward(self, x):
        return self.activate(self.conv(x))


class PAFPN(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        n = len(in_channels)
        self.lateral_convs = nn.ModuleList([ConvModule(c, out_channels, 1) for c in in_channels])
        self.fpn_convs = nn.ModuleList([ConvModule(out_channels, out_channels, 3) for _ in range(n)])
        self.downsample_convs = nn.ModuleList(
            [ConvModule(out_channels, out_channels, 3, stride=2) for _ in range(n - 1)])
        self.pafpn_convs = nn.ModuleList([ConvModule(out_channels, out_channels, 3) for _ in range(n - 1)])

    def forward(self, inputs):
        laterals = [conv(inputs[i]) for i, conv in enumerate(self.lateral_convs)]
        n = len(laterals)
        for i in range(n - 1, 0, -1):
            laterals[i - 1] += F.interpolate(laterals[i], size=laterals[i - 1].shape[2:], mode="nearest")  # <- error
        inter_outs = [self.fpn_convs[i](laterals[i]) for i in range(n)]
        for i in range(0, n - 1):
            inter_outs[i + 1] += self.downsample_convs[i](inter_outs[i])  # <- error
        outs = [inter_outs[0]]
        outs.extend([self.pafpn_convs[i - 1](inter_outs[i]) for i in range(1, n)])
        return tuple(outs)


def make_inputs():
    torch.manual_seed(0)
    return PAFPN([3, 4], 2), torch.randn(1, 3, 8, 8), torch.randn(1, 4, 4, 4)


def run(neck, c3, c4):
    return sum(out.pow(2).mean() for out in neck([c3, c4]))


def reference(neck, c3, c4):
    lat = [neck.lateral_convs[0](c3), neck.lateral_convs[1](c4)]
    lat[0] = lat[0] + F.interpolate(lat[1], size=lat[0].shape[2:], mode="nearest")
    inter = [neck.fpn_convs[0](lat[0]), neck.fpn_convs[1](lat[1])]
    inter[1] = inter[1] + neck.downsample_convs[0](inter[0])
    outs = [inter[0], neck.pafpn_convs[0](inter[1])]
    return sum(out.pow(2).mean() for out in outs)


if __name__ == "__main__":
    run(*make_inputs()).backward()
