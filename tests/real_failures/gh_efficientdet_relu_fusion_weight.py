# expect: error
# source: https://github.com/zylo117/Yet-Another-EfficientDet-Pytorch/issues/503
# report: reimplementing BiFPN's weighted feature fusion, passing the fusion-weight nn.Parameter through a ReLU module raised "a leaf Variable that requires grad is being used in an in-place operation"
# shape: nn.ReLU(inplace=True) module applied to an nn.Parameter (a leaf) in forward
import torch
import torch.nn as nn


class FuseFeature(nn.Module):
    def __init__(self, eps=1e-4):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(2, dtype=torch.float32), requires_grad=True)
        self.weight_relu = nn.ReLU(inplace=True)  # <- error

    def forward(self, x):
        weight = self.weight_relu(self.weight)
        weight = weight / (torch.sum(weight, dim=0) + self.eps)
        fused = weight[0] * x[0] + weight[1] * x[1]
        return fused * torch.sigmoid(fused)


def make_inputs():
    torch.manual_seed(0)
    return FuseFeature(), nn.Conv2d(2, 2, 1), torch.randn(1, 2, 3, 3), torch.randn(1, 2, 3, 3)


def run(fuse, conv, p3, p4):
    return fuse([conv(p3), conv(p4)]).pow(2).mean()


def reference(fuse, conv, p3, p4):
    weight = torch.relu(fuse.weight)
    weight = weight / (torch.sum(weight, dim=0) + fuse.eps)
    fused = weight[0] * conv(p3) + weight[1] * conv(p4)
    return (fused * torch.sigmoid(fused)).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
