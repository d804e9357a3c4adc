import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 4), nn.Sigmoid(), nn.ReLU(inplace=True))  # built
x = torch.randn(2, 4)
out = model(x)  # saved write
out.sum().backward()
