# outplace-golden: safe-fixes-only
import torch
import torch.nn as nn


class Head(nn.Module):
    def forward(self, x):
        torch.sigmoid_(x)  # the caller's tensor: the write is visible to it
        torch.relu_(self.buffer)
        return x
