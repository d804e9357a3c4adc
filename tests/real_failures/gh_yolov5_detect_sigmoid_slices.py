# expect: error
# source: https://github.com/ultralytics/yolov5/issues/671
# report: backpropagating an adversarial-patch loss through YOLOv5 failed on the output of SigmoidBackward (version 2, expected 0); anomaly mode pointed at `y = x[i].sigmoid()` in Detect.forward
# shape: forward: slice assignments y[..., 0:2] = ... and y[..., 2:4] = ... into a sigmoid output, in a loop over detection levels
import torch
import torch.nn as nn


class Detect(nn.Module):
    def __init__(self, nc, anchors, ch, strides):
        super().__init__()
        self.no = nc + 5
        self.nl = len(anchors)
        self.na = len(anchors[0]) // 2
        self.stride = torch.tensor(strides)
        self.register_buffer("anchor_grid", torch.tensor(anchors).float().view(self.nl, 1, -1, 1, 1, 2))
        self.m = nn.ModuleList(nn.Conv2d(c, self.no * self.na, 1) for c in ch)

    @staticmethod
    def _make_grid(nx, ny):
        yv, xv = torch.meshgrid(torch.arange(ny), torch.arange(nx), indexing="ij")
        return torch.stack((xv, yv), 2).view(1, 1, ny, nx, 2).float()

    def forward(self, x):
        z = []
        for i in range(self.nl):
            x[i] = self.m[i](x[i])
            bs, _, ny, nx = x[i].shape
            x[i] = x[i].view(bs, self.na, self.no, ny, nx).permute(0, 1, 3, 4, 2).contiguous()
            grid = self._make_grid(nx, ny)
            y = x[i].sigmoid()
            y[..., 0:2] = (y[..., 0:2] * 2.0 - 0.5 + grid) * self.stride[i]  # <- error
            y[..., 2:4] = (y[..., 2:4] * 2) ** 2 * self.anchor_grid[i]  # <- error
            z.append(y.view(bs, -1, self.no))
        return torch.cat(z, 1), x


class TinyYolo(nn.Module):
    def __init__(self):
        super().__init__()
        self.p3 = nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.p4 = nn.Conv2d(4, 6, 3, stride=2, padding=1)
        self.detect = Detect(2, [[10, 13, 16, 30], [30, 61, 62, 45]], [4, 6], [2.0, 4.0])

    def forward(self, img):
        p3 = self.p3(img)
        p4 = self.p4(p3)
        return self.detect([p3, p4])


def make_inputs():
    torch.manual_seed(0)
    return TinyYolo(), torch.rand(1, 3, 8, 8, requires_grad=True)


def run(model, patch):
    pred, _ = model(patch)
    return pred[..., 4].max() + pred[..., 0:4].mean() * 1e-3


def reference(model, patch):
    det = model.detect
    feats = [model.p3(patch)]
    feats.append(model.p4(feats[0]))
    z = []
    for i in range(det.nl):
        f = det.m[i](feats[i])
        bs, _, ny, nx = f.shape
        y = f.view(bs, det.na, det.no, ny, nx).permute(0, 1, 3, 4, 2).contiguous().sigmoid()
        xy = (y[..., 0:2] * 2.0 - 0.5 + det._make_grid(nx, ny)) * det.stride[i]
        wh = (y[..., 2:4] * 2) ** 2 * det.anchor_grid[i]
        z.append(torch.cat((xy, wh, y[..., 4:]), -1).view(bs, -1, det.no))
    pred = torch.cat(z, 1)
    return pred[..., 4].max() + pred[..., 0:4].mean() * 1e-3


if __name__ == "__main__":
    run(*make_inputs()).backward()
