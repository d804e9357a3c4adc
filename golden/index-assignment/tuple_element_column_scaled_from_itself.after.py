# outplace-golden: before-fails, unsafe-fixes
import torch


def make_inputs():
    torch.manual_seed(0)
    return torch.randn(2, 3, requires_grad=True), torch.randn(3, requires_grad=True)


def encode(x: torch.Tensor):
    h = x * 2
    return h, h + 1


def run(x: torch.Tensor, scale: torch.Tensor):
    out = encode(x)
    for j in range(3):
        out = (out[0].select_scatter((out[0][:, j] * scale[j]).expand_as(out[0][:, j]), 1, j), *out[1:])  # mul saved the column it then overwrites
    return (out[0] + out[1]).sum()


def reference(x: torch.Tensor, scale: torch.Tensor):
    return (x * 2 * scale + x * 2 + 1).sum()
