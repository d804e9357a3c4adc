# outplace-golden: safe-fixes-only
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, stem):
        super().__init__()
        # after `*stem` the ReLU is not the first layer: the shortcut's saved input is not what it writes
        self.body = nn.Sequential(*stem, nn.ReLU(inplace=True), nn.Linear(4, 4))
        self.shortcut = nn.Linear(4, 4)

    def forward(self, x):
        s = self.shortcut(x)
        return self.body(x) + s
