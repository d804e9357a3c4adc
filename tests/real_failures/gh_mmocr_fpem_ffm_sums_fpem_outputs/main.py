# expect: error
# source: https://github.com/open-mmlab/mmocr/pull/884
# report: training PSENet/PANet raised "modified by an inplace operation"; the FPEM_FFM neck summed the outputs of its repeated FPEMs with +=, and the first sums alias the first FPEM's ReLU outputs, which the second FPEM also took as input
# shape: imported neck's forward: c2_ffm = c2 of the first FPEM (ReLU output), then c2_ffm += c2 of the next one; the training script builds the detector around it
import torch
import torch.nn as nn
import torch.nn.functional as F

from fpem_ffm import FPEM_FFM


class Backbone(nn.Module):
    def __init__(self, widths=(4, 6, 8, 10)):
        super().__init__()
        stages, in_channels = [], 3
        for width in widths:
            stages.append(nn.Sequential(nn.Conv2d(in_channels, width, 3, stride=2, padding=1), nn.BatchNorm2d(width), nn.ReLU()))
            in_channels = width
        self.stages = nn.ModuleList(stages)

    def forward(self, x):
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features


class PANDetector(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = Backbone()
        self.neck = FPEM_FFM(in_channels=(4, 6, 8, 10))
        self.head = nn.Conv2d(4 * 8, 2, 1)

    def forward(self, images):
        outs = self.neck(self.backbone(images))
        return self.head(torch.cat(outs, dim=1))


def make_inputs():
    torch.manual_seed(0)
    return PANDetector(), torch.randn(2, 3, 32, 32), (torch.rand(2, 2, 16, 16) > 0.5).float()


def run(model, images, text_masks):
    return F.binary_cross_entropy_with_logits(model(images), text_masks)


def neck_out_of_place(neck, features):
    c2, c3, c4, c5 = [reduce(f) for reduce, f in zip(neck.reduce_convs, features)]
    sums = None
    for fpem in neck.fpems:
        c2, c3, c4, c5 = fpem(c2, c3, c4, c5)
        levels = (c2, c3, c4, c5)
        sums = levels if sums is None else tuple(s + c for s, c in zip(sums, levels))
    size = sums[0].size()[-2:]
    return (sums[0], *[F.interpolate(s, size) for s in sums[1:]])


def reference(model, images, text_masks):
    outs = neck_out_of_place(model.neck, model.backbone(images))
    return F.binary_cross_entropy_with_logits(model.head(torch.cat(outs, dim=1)), text_masks)


if __name__ == "__main__":
    run(*make_inputs()).backward()
