# outplace-golden: no-findings
import torch


def count_steps(batches):
    steps = 0
    for batch in batches:
        loss = torch.nn.functional.mse_loss(batch, torch.zeros_like(batch))
        steps += 1
    return steps
