# outplace-golden: unsafe-fixes
import torch
import torch.nn as nn


def subtract_mean(batch):
    mean = torch.zeros_like(batch)
    mean[:, 0] = 0.4
    batch -= mean  # the write is what the helper does for its caller: rebinding `batch` would drop it


def run(model: nn.Module, x):
    y = torch.tanh(model(x))
    subtract_mean(y)
    return y.sum()
