import torch.nn as nn
import torch.nn.functional as F


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.depthwise_conv = nn.Conv2d(in_channels, in_channels, 3, stride=stride, padding=1, groups=in_channels)
        self.pointwise_conv = nn.Conv2d(in_channels, out_channels, 1)
        self.bn = nn.BatchNorm2d(out_channels)
        self.act = nn.ReLU()

    def forward(self, x):
        x = self.depthwise_conv(x)
        x = self.pointwise_conv(x)
        x = self.bn(x)
        return self.act(x)


class FPEM(nn.Module):
    """Feature pyramid enhancement: one pass up the pyramid, one pass down."""

    def __init__(self, channels):
        super().__init__()
        self.up_add1 = SeparableConv2d(channels, channels)
        self.up_add2 = SeparableConv2d(channels, channels)
        self.up_add3 = SeparableConv2d(channels, channels)
        self.down_add1 = SeparableConv2d(channels, channels, 2)
        self.down_add2 = SeparableConv2d(channels, channels, 2)
        self.down_add3 = SeparableConv2d(channels, channels, 2)

    def forward(self, c2, c3, c4, c5):
        c4 = self.up_add1(self._upsample_add(c5, c4))
        c3 = self.up_add2(self._upsample_add(c4, c3))
        c2 = self.up_add3(self._upsample_add(c3, c2))
        c3 = self.down_add1(self._upsample_add(c3, c2))
        c4 = self.down_add2(self._upsample_add(c4, c3))
        c5 = self.down_add3(self._upsample_add(c5, c4))
        return c2, c3, c4, c5

    def _upsample_add(self, x, y):
        return F.interpolate(x, size=y.size()[2:]) + y


class FPEM_FFM(nn.Module):
    """Repeated FPEMs whose outputs are summed level by level, then fused at the finest scale."""

    def __init__(self, in_channels, conv_out=8, fpem_repeat=2):
        super().__init__()
        self.reduce_convs = nn.ModuleList([
            nn.Sequential(nn.Conv2d(c, conv_out, 1), nn.BatchNorm2d(conv_out), nn.ReLU()) for c in in_channels
        ])
        self.fpems = nn.ModuleList([FPEM(conv_out) for _ in range(fpem_repeat)])

    def forward(self, features):
        c2, c3, c4, c5 = [reduce(f) for reduce, f in zip(self.reduce_convs, features)]
        for i, fpem in enumerate(self.fpems):
            c2, c3, c4, c5 = fpem(c2, c3, c4, c5)
            if i == 0:
                c2_ffm = c2
                c3_ffm = c3
                c4_ffm = c4
                c5_ffm = c5
            else:
                c2_ffm += c2  # <- error
                c3_ffm += c3  # <- error
                c4_ffm += c4  # <- error
                c5_ffm += c5  # <- error
        size = c2_ffm.size()[-2:]
        c3 = F.interpolate(c3_ffm, size)
        c4 = F.interpolate(c4_ffm, size)
        c5 = F.interpolate(c5_ffm, size)
        return c2_ffm, c3, c4, c5
