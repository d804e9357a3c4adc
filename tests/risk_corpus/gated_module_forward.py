# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(3, 4, requires_grad=True),)


class Gate(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(1)
        self.fc = torch.nn.Linear(4, 4)

    def forward(self, x):
        g = torch.sigmoid(self.fc(x))
        g *= 2  # <- error
        return g * x


def run(x):
    return Gate()(x).sum()


def reference(x):
    torch.manual_seed(1)
    fc = torch.nn.Linear(4, 4)
    return (torch.sigmoid(fc(x)) * 2 * x).sum()
