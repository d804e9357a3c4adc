# outplace-golden: no-findings
import torch


@torch.no_grad()
def ema_update(avg, params, decay: float):
    for a, p in zip(avg, params):
        a.data.mul_(decay).add_(p.data, alpha=1 - decay)


def clip(params):
    with torch.no_grad():
        for p in params:
            p.data.clamp_(-1, 1)
