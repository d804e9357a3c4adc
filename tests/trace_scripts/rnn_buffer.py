import torch

torch.manual_seed(0)
W = torch.randn(3, 3, requires_grad=True)
h = torch.zeros(2, 5, 3)
h[:, 0] = 1.0
for t in range(1, 5):
    h[:, t] = torch.tanh(h[:, t - 1] @ W)  # saved write
h.sum().backward()
