# outplace-golden: no-findings
import torch


def step(params, lr: float):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad


@torch.no_grad()
def decay(model):
    for p in model.parameters():
        p.mul_(0.99)


class Plain(torch.optim.Optimizer):
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                p.add_(p.grad, alpha=-group["lr"])
