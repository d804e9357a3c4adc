# outplace-golden: no-findings
import torch


def collect(outputs):
    losses = []
    for out in outputs:
        l = torch.relu(out).mean()
        losses += [l]
    return losses
