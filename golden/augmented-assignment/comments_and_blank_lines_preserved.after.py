import torch


def make_inputs():
    return torch.randn(2, 3, requires_grad=True), torch.randn(2, 3, requires_grad=True)


def run(x: torch.Tensor, y: torch.Tensor):
    h = torch.tanh(x)

    # shift by the bias before scaling
    h = (h + y).to(h.dtype)  # trailing comment stays


    h = (h * (
        y.abs()  # magnitude only
        + 1.0
    )).to(h.dtype)
    return h.sum()
