# outplace-golden: before-fails
import torch


def shifted(x, shift):
    y = torch.sigmoid(x)
    y = (y - shift).to(y.dtype)  # nothing says `shift` has `y`'s dtype: a float16 `y` minus a float32 `shift` stays float16
    return y


def make_inputs():
    return torch.randn(3, 4, requires_grad=True), torch.randn(4, requires_grad=True)


def run(x, shift):
    return (shifted(x.half(), shift) * 3).sum()
