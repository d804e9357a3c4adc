# outplace-golden: no-findings
import torch


def ema(target: torch.nn.Module, source: torch.nn.Module, decay: float):
    for p, q in zip(target.parameters(), source.parameters()):
        p.data.mul_(decay).add_(q.data, alpha=1 - decay)
