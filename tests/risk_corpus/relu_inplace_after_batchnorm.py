# expect: clean
import torch.nn as nn


def block(c: int):
    return nn.Sequential(nn.Conv2d(c, c, 3), nn.BatchNorm2d(c), nn.ReLU(inplace=True))
