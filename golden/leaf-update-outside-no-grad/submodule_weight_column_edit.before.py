# outplace-golden: before-fails
import torch
import torch.nn as nn


class Probe(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(3, 4)

    def forward(self, x):
        return self.proj(x)

    def erase_inputs(self, columns):
        for column in columns:
            self.proj.weight[:, column] = 0.0


def make_inputs():
    return (torch.randn(2, 3, requires_grad=True),)


def run(x):
    torch.manual_seed(0)
    probe = Probe()
    probe.erase_inputs([0, 2])
    return probe(x).pow(2).sum()


def reference(x):
    torch.manual_seed(0)
    probe = Probe()
    with torch.no_grad():
        probe.proj.weight[:, [0, 2]] = 0.0
    return probe(x).pow(2).sum()
