import torch


def make_inputs():
    return (torch.randn(3, requires_grad=True),)


def run(x: torch.Tensor):
    w = torch.ones(3).requires_grad_()
    w = (w + x).to(w.dtype)  # a leaf that requires grad: raises already in the forward pass
    return (w * w).sum()


def reference(x):
    w = torch.ones(3) + x
    return (w * w).sum()
