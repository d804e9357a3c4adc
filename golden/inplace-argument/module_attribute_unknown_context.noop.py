# outplace-golden: safe-fixes-only
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.act = nn.ReLU(inplace=True)  # what comes before it is decided in forward

    def forward(self, x):
        y = self.act(self.fc(x))
        return F.relu(x, inplace=True) + y  # x belongs to the caller
