import torch

x = torch.randn(5, requires_grad=True)
h = torch.sigmoid(x)  # saved
h += 1  # write
h.sum().backward()
