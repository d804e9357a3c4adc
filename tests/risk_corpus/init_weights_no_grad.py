# expect: clean
import torch
import torch.nn as nn


def init_weights(m: nn.Module):
    nn.init.normal_(m.weight, std=0.02)
    with torch.no_grad():
        m.weight.uniform_(-0.1, 0.1)
        m.bias.zero_()
        m.weight *= 0.5
