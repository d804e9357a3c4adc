import torch
from torch import nn


class Residual(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d, d), nn.ReLU())

    def forward(self, x):
        skip = x
        x = self.body(x)  # saved
        x += skip  # write
        return x


torch.manual_seed(0)
net = Residual(4)
x = torch.randn(2, 4, requires_grad=True)
out = net(x)
print("forward", out.sum().item())
out.sum().backward()
print("grad", x.grad.sum().item())
