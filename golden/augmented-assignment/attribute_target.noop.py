# outplace-golden: no-findings
import torch


class Accumulator(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.h = torch.zeros(3)

    def forward(self, x: torch.Tensor):
        self.h += x  # an attribute: what it holds is not known here
        return torch.relu(self.h)
