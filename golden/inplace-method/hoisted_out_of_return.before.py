import torch


def make_inputs():
    return (torch.randn(5, requires_grad=True),)


def activate(z: torch.Tensor):
    h = torch.exp(z) - 0.5
    h = h.exp()  # exp saves its result
    return h.relu_()


def run(z: torch.Tensor):
    h = torch.tanh(activate(z)) * 2
    return h.exp_().sum()


def reference(z):
    return torch.exp(torch.tanh(torch.relu(torch.exp(torch.exp(z) - 0.5))) * 2).sum()
