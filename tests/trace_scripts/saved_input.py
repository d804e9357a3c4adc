import torch

x = torch.randn(3, requires_grad=True)
w = torch.randn(3, requires_grad=True) * 1.0
y = x * w  # saved
w.add_(1)  # write
y.sum().backward()
