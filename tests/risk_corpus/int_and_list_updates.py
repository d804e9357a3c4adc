# expect: clean
import torch


def train(loader, model):
    steps = 0
    total = 0.0
    losses = []
    for x in loader:
        loss = model(x).sum()
        steps += 1
        total += loss.item()
        losses += [loss.item()]
    return steps, total, losses
