# expect: clean
import torch


@torch.no_grad()
def update_ema(ema_params, params, decay: float):
    for e, p in zip(ema_params, params):
        e.mul_(decay).add_(p, alpha=1 - decay)
