# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(3, 4, requires_grad=True), torch.randn(4, requires_grad=True)


def run(z, v):
    h = torch.exp(z.half())
    rows = torch.tensor([0, 2])
    h = h.index_put((rows,), (h[rows] + v).to(h.dtype))  # in place, `h[rows] + v` is rounded to half; index_put refuses a float32 source
    assert h.dtype == torch.half
    return (h * 3).sum()


def reference(z, v):
    h = torch.exp(z.half())
    picked = torch.tensor([1.0, 0.0, 1.0])[:, None]
    h = torch.where(picked > 0, (h + v).half(), h)
    return (h * 3).sum()
