# expect: clean
# source: https://github.com/pytorch/vision/blob/main/torchvision/models/mobilenetv2.py
# report: torchvision's MobileNetV2 builds every block from Conv2dNormActivation (ops/misc.py), whose ReLU6 runs in place on the BatchNorm output, and adds the residual out of place
# shape: imported Sequential: conv, BatchNorm, ReLU6(inplace=True); inverted residual x + self.conv(x)
import torch
import torch.nn as nn
import torch.nn.functional as F

from ops import Conv2dNormActivation


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, expand_ratio):
        super().__init__()
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(Conv2dNormActivation(inp, hidden_dim, kernel_size=1, activation_layer=nn.ReLU6))
        layers.extend([
            Conv2dNormActivation(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim, activation_layer=nn.ReLU6),
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
            nn.BatchNorm2d(oup),
        ])
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self, num_classes=5, width=8):
        super().__init__()
        self.features = nn.Sequential(
            Conv2dNormActivation(3, width, stride=2, activation_layer=nn.ReLU6),
            InvertedResidual(width, width, 1, expand_ratio=1),
            InvertedResidual(width, 12, 2, expand_ratio=6),
            InvertedResidual(12, 12, 1, expand_ratio=6),
            Conv2dNormActivation(12, 16, kernel_size=1, activation_layer=nn.ReLU6),
        )
        self.classifier = nn.Sequential(nn.Dropout(p=0.2), nn.Linear(16, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, (1, 1))
        x = torch.flatten(x, 1)
        return self.classifier(x)


def make_inputs():
    torch.manual_seed(0)
    return MobileNetV2(), torch.randn(2, 3, 16, 16), torch.tensor([1, 3])


def run(model, images, labels):
    return F.cross_entropy(model(images), labels)


if __name__ == "__main__":
    run(*make_inputs()).backward()
