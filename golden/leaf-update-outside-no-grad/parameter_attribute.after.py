# outplace-golden: before-fails
import torch
import torch.nn as nn


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(3))

    def forward(self, x):
        return x * self.weight

    def descend(self, lr):
        with torch.no_grad():
            self.weight -= lr * self.weight.grad


def make_inputs():
    return (torch.randn(3, requires_grad=True),)


def run(x):
    scale = Scale()
    with torch.enable_grad():
        loss = scale(x.detach()).pow(2).sum()
    loss.backward()
    scale.descend(0.1)
    return scale(x).sum()


def reference(x):
    weight = torch.ones(3) - 0.1 * 2 * x.detach() ** 2
    return (x * weight).sum()
