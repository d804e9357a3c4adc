# outplace-golden: before-fails
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(3, 5)
        self.outer = nn.Linear(5, 3)

    def forward(self, x):
        return self.outer(torch.relu(self.inner(x)))


def nudge_neuron(block, neuron, direction):
    with torch.no_grad():
        block.outer.weight[:, neuron] += direction * 0.5


def make_inputs():
    torch.manual_seed(0)
    return Block(), torch.randn(2, 3), torch.randn(3)


def run(block, x, direction):
    nudge_neuron(block, 1, direction)
    return block(x).pow(2).sum()


def reference(block, x, direction):
    with torch.no_grad():
        block.outer.weight[:, 1] += direction * 0.5
    return block(x).pow(2).sum()
