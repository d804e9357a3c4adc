# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(1, 2, 5, 5, requires_grad=True), torch.randn(3, 2, 3, 3, requires_grad=True))


def run(inp, w):
    img = inp + 0
    y = F.conv2d(img, w, padding=1)
    img.mul_(0.5)  # <- error
    return y.sum() + img.sum()


def reference(inp, w):
    return F.conv2d(inp, w, padding=1).sum() + (inp * 0.5).sum()
