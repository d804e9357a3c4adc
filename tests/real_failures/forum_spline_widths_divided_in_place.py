# expect: error
# source: https://github.com/bayesiains/nflows/issues/89
# report: the spline coupling layer raised "output 0 of ReluBackward0 is at version 1" at the line scaling the unnormalized widths and heights with /=; dividing out of place fixed it
# shape: forward: /= on slices of a transform net output that ends in ReLU (ReLU saved it)
import math

import torch
import torch.nn as nn


class SplineParams(nn.Module):
    def __init__(self, features=2, bins=4, hidden=8):
        super().__init__()
        self.bins = bins
        self.hidden_features = hidden
        self.transform_net = nn.Sequential(nn.Linear(features, hidden), nn.ReLU(), nn.Linear(hidden, 2 * bins), nn.ReLU())

    def forward(self, identity_half):
        params = self.transform_net(identity_half)
        unnormalized_widths = params[..., : self.bins]
        unnormalized_heights = params[..., self.bins :]
        unnormalized_widths /= math.sqrt(self.hidden_features)  # <- error
        unnormalized_heights /= math.sqrt(self.hidden_features)  # <- error
        widths = torch.softmax(unnormalized_widths, dim=-1)
        heights = torch.softmax(unnormalized_heights, dim=-1)
        return (widths * heights).sum(-1)


def make_inputs():
    torch.manual_seed(0)
    return SplineParams(), torch.randn(6, 2)


def run(layer, x):
    return layer(x).log().sum()


def reference(layer, x):
    params = layer.transform_net(x) / math.sqrt(layer.hidden_features)
    widths = torch.softmax(params[..., : layer.bins], dim=-1)
    heights = torch.softmax(params[..., layer.bins :], dim=-1)
    return (widths * heights).sum(-1).log().sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
