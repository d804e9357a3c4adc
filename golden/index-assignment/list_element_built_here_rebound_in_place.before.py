# outplace-golden: before-fails, unsafe-fixes
import torch


def make_inputs():
    torch.manual_seed(0)
    return torch.randn(2, 3, requires_grad=True), torch.randn(3, requires_grad=True)


def merged(outs: list):
    outs = torch.cat(outs, 0)  # `outs` names a tensor in the file: the cheap pass looks at writes into it
    return outs.sum()


def run(x: torch.Tensor, scale: torch.Tensor):
    outs = [x * 2, x + 1]  # a list built here: its element is replaced, the list stays a list
    for j in range(3):
        outs[-1][:, j] = outs[-1][:, j] * scale[j]
    outs.append(x)
    return merged(outs)


def reference(x: torch.Tensor, scale: torch.Tensor):
    return (x * 2).sum() + ((x + 1) * scale).sum() + x.sum()
