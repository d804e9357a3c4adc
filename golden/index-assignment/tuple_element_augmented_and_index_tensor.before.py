# outplace-golden: before-fails, unsafe-fixes
import torch


def make_inputs():
    torch.manual_seed(0)
    return torch.randn(2, 3, requires_grad=True), torch.randn(3, requires_grad=True)


def encode(x: torch.Tensor):
    return x * 2, x + 1, x - 1


def run(x: torch.Tensor, scale: torch.Tensor):
    out = encode(x)
    for j in range(3):
        out[1][:, j] *= out[1][:, j] * scale[j]  # the middle element: the tuple is rebuilt around it
    idx = torch.tensor([1, 0])
    out[0][idx] = out[0][idx] * scale  # an index tensor: `index_put`
    return (out[0] * out[1] * out[2]).sum()


def reference(x: torch.Tensor, scale: torch.Tensor):
    first = (x * 2)[torch.tensor([1, 0])] * scale
    return (first[torch.tensor([1, 0])] * ((x + 1) ** 2 * scale) * (x - 1)).sum()
