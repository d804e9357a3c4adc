import torch

x = torch.randn(6, requires_grad=True)
y = x * 2
first, second = y.chunk(2)  # saved
first.add_(1)  # write
