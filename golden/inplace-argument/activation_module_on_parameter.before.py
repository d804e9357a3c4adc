# outplace-golden: before-fails
import torch
import torch.nn as nn


class WeightedFusion(nn.Module):
    def __init__(self, eps=1e-4):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(2))
        self.weight_act = nn.ReLU(inplace=True)  # writes the parameter itself: a leaf that requires grad

    def forward(self, a, b):
        weight = self.weight_act(self.weight)
        weight = weight / (weight.sum() + self.eps)
        return weight[0] * a + weight[1] * b


def make_inputs():
    torch.manual_seed(0)
    return torch.randn(3, requires_grad=True), torch.randn(3, requires_grad=True)


def run(a, b):
    fusion = WeightedFusion()
    return fusion(a, b).pow(2).sum()


def reference(a, b):
    fusion = WeightedFusion()
    weight = torch.relu(fusion.weight)
    weight = weight / (weight.sum() + fusion.eps)
    return (weight[0] * a + weight[1] * b).pow(2).sum()
