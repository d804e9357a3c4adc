# outplace-golden: no-findings
import torch


class SGD(torch.optim.Optimizer):
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                p.data.add_(p.grad.data, alpha=-group["lr"])


def zero_grads(model):
    for p in model.parameters():
        p.grad.data.zero_()
        p.grad.data.mul_(0.0)
