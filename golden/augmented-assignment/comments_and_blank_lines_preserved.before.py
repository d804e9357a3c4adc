import torch


def make_inputs():
    return torch.randn(2, 3, requires_grad=True), torch.randn(2, 3, requires_grad=True)


def run(x: torch.Tensor, y: torch.Tensor):
    h = torch.tanh(x)

    # shift by the bias before scaling
    h += y  # trailing comment stays


    h *= (
        y.abs()  # magnitude only
        + 1.0
    )
    return h.sum()
