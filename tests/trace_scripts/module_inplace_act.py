import torch
from torch import nn


class Head(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)
        self.act = nn.ReLU(inplace=True)  # built

    def forward(self, x):
        return self.act(torch.sigmoid(self.fc(x)))  # saved write


torch.manual_seed(0)
head = Head(4)
out = head(torch.randn(2, 4))
print("forward", out.sum().item())
out.sum().backward()
print("grad", head.fc.weight.grad.sum().item())
