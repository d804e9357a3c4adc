# expect: error
# source: https://github.com/open-mmlab/mmdetection/pull/7175
# report: FPN's top-down path added the upsampled level with `laterals[i - 1] += F.interpolate(...)`, which can raise the in-place RuntimeError; the PR made the addition out of place
# shape: forward: list element laterals[i - 1] += ... onto ConvModule outputs whose activation (built from an act_cfg dict) saved them
import torch
import torch.nn as nn
import torch.nn.functional as F

ACTIVATIONS = {"ReLU": nn.ReLU, "Sigmoid": nn.Sigmoid, "GELU": nn.GELU}


def build_activation_layer(cfg):
    cfg = dict(cfg)
    return ACTIVATIONS[cfg.pop("type")](**cfg)


class ConvModule(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, act_cfg=None):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
        self.activate = build_activation_layer(act_cfg) if act_cfg is not None else None

    def forward(self, x):
        x = self.conv(x)
        return self.activate(x) if self.activate is not None else x


class FPN(nn.Module):
    def __init__(self, in_channels, out_channels, act_cfg=None, upsample_cfg=None):
        super().__init__()
        self.upsample_cfg = dict(mode="nearest") if upsample_cfg is None else upsample_cfg
        self.lateral_convs = nn.ModuleList([ConvModule(c, out_channels, 1, act_cfg=act_cfg) for c in in_channels])
        self.fpn_convs = nn.ModuleList([ConvModule(out_channels, out_channels, 3, act_cfg=act_cfg)
                                        for _ in in_channels])

    def forward(self, inputs):
        laterals = [lateral_conv(inputs[i]) for i, lateral_conv in enumerate(self.lateral_convs)]
        for i in range(len(laterals) - 1, 0, -1):
            laterals[i - 1] += F.interpolate(laterals[i], **self.upsample_cfg)  # <- error
        return [self.fpn_convs[i](laterals[i]) for i in range(len(laterals))]


def make_inputs():
    torch.manual_seed(0)
    neck = FPN([3, 4, 5], 2, act_cfg=dict(type="ReLU"), upsample_cfg=dict(scale_factor=2, mode="nearest"))
    return neck, torch.randn(1, 3, 8, 8), torch.randn(1, 4, 4, 4), torch.randn(1, 5, 2, 2)


def run(neck, c3, c4, c5):
    return sum(out.pow(2).mean() for out in neck([c3, c4, c5]))


def reference(neck, c3, c4, c5):
    lat = [conv(c) for conv, c in zip(neck.lateral_convs, (c3, c4, c5))]
    lat[1] = lat[1] + F.interpolate(lat[2], scale_factor=2, mode="nearest")
    lat[0] = lat[0] + F.interpolate(lat[1], scale_factor=2, mode="nearest")
    return sum(conv(x).pow(2).mean() for conv, x in zip(neck.fpn_convs, lat))


if __name__ == "__main__":
    run(*make_inputs()).backward()
