# outplace-golden: before-fails
import torch


def make_inputs():
    torch.manual_seed(0)
    return torch.randn(2, 3, requires_grad=True), torch.randn(3, requires_grad=True)


def encode(x: torch.Tensor):
    return x * 2, x + 1


def pair_kept(x: torch.Tensor, scale: torch.Tensor):
    out = encode(x)
    pair = out  # the same tuple: a rebuilt `out` would leave `pair[0]` without the write
    for j in range(3):
        out[0][:, j] = out[0][:, j] * scale[j]
    return pair[0].sum()


def element_of_a_loop(outs: list, scale: torch.Tensor):
    for out in outs:
        out[0][:, 0] = out[0][:, 0] * scale[0]  # `outs` holds `out`: rebinding `out` leaves it unchanged
    return outs


def built_from_names(h: torch.Tensor, g: torch.Tensor, scale: torch.Tensor):
    out = [h, g]
    for j in range(3):
        out[0][:, j] = out[0][:, j] * scale[j]  # `h` holds the tensor and is read below
    return h + out[1]


class ScaleFirst(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.linspace(0.5, 1.5, 3))

    def forward(self, out):
        for j in range(3):
            out[0][:, j] = out[0][:, j] * self.scale[j]  # only the caller sees the write: a rebinding would drop it


def run(x: torch.Tensor, scale: torch.Tensor):
    loop = element_of_a_loop([(x * 3,)], scale)[0][0].sum()
    pair = (x * 4, x)
    ScaleFirst()(pair)
    return built_from_names(x * 2, x + 1, scale).sum() + pair_kept(x, scale) + loop + pair[0].sum()
