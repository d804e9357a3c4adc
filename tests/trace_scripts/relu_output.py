import torch

x = torch.randn(5, requires_grad=True)
h = torch.relu(x * 2)  # saved
h.mul_(3)  # write
h.sum().backward()
