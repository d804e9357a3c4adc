# expect: same
# Folding a BatchNorm into the next Linear through `.data`: the Linear's weight is an input the
# matmul saved and is scaled in place afterwards, but the matmul's output only flows into another
# `.data` tensor assigned back with `.data =`, so backward never reaches the matmul.
import torch
from torch import nn


def make_inputs():
    torch.manual_seed(0)
    return ((torch.rand(3) + 0.5).requires_grad_(), torch.randn(2, 3, requires_grad=True))


def merge_pre_bn(module, bn_weight, running_var):
    weight = module.weight.data
    bias = module.bias.data
    extra_weight = running_var.add(1e-5).pow(-0.5) * bn_weight
    extra_bias = weight @ extra_weight
    weight.mul_(extra_weight.view(1, weight.size(1)).expand_as(weight))
    bias.add_(extra_bias)
    module.weight.data = weight
    module.bias.data = bias


def run(bn_weight, x):
    torch.manual_seed(1)
    linear = nn.Linear(3, 4)
    merge_pre_bn(linear, bn_weight, torch.ones(3))
    return linear(x).sum() + bn_weight.sum()
