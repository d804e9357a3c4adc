# expect: clean
import torch


def evaluate(model, x):
    with torch.set_grad_enabled(False):
        out = torch.tanh(model(x))
        out += 1
    return out
