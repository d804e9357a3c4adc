import torch

x = torch.randn(4, requires_grad=True)
table = torch.ones(4, 2)
y = x * table[:, 0]  # saved
table[:, 1] = 5.0  # write
y.sum().backward()
