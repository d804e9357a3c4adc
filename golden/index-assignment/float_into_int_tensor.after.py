# outplace-golden: unsafe-fixes
import torch


def make_inputs():
    z = torch.randn(3, 4, requires_grad=True)
    return z, (z.detach() * 10).long()


def run(z: torch.Tensor, t: torch.Tensor):
    t = t.select_scatter(torch.full_like(t[:, 1], 2.7), 1, 1)  # cast to the int tensor's dtype: 2
    assert t.dtype == torch.long
    return (z * t).sum()


def reference(z, t):
    t = torch.cat([t[:, :1], torch.full((3, 1), 2), t[:, 2:]], dim=1)
    return (z * t).sum()
