import torch


def make_inputs():
    x = torch.rand(3, 3, requires_grad=True)
    y = (torch.rand(3, 3) + 0.5).requires_grad_()
    w = torch.rand(3, 3, requires_grad=True)
    return x, y, w


def run(x: torch.Tensor, y: torch.Tensor, w: torch.Tensor):
    h = x * 1.5
    h += y
    h -= 0.25
    h *= y
    h = (h / (y + 1)).to(h.dtype)
    h = h ** 2
    h = (h @ w).to(h.dtype)
    h = h % 0.75
    q = y.detach() * 4
    q //= 1.5  # detached: autograd never sees it, so it is left alone
    return h.sum() + q.sum()


def reference(x, y, w):
    h = x * 1.5
    h = h + y
    h = h - 0.25
    h = h * y
    h = h / (y + 1)
    h = h**2
    h = h @ w
    h = torch.remainder(h, 0.75)
    q = torch.floor_divide(y.detach() * 4, 1.5)
    return h.sum() + q.sum()
