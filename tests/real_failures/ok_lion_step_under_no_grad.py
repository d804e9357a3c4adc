# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/optim/lion.py
# report: the Lion optimizer's step (a torch.optim.Optimizer there, a plain class here) runs under @torch.no_grad() and updates parameters and momentum in place (mul_, sign_, add_, lerp_), between two training forwards
# shape: optimizer step writing parameters in place under @torch.no_grad()
import torch
import torch.nn as nn


class Lion:
    def __init__(self, params, lr=1e-2, betas=(0.9, 0.99), weight_decay=0.1):
        self.param_groups = [dict(params=list(params), lr=lr, betas=betas, weight_decay=weight_decay)]
        self.state = {}

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state.setdefault(param, {})
                if len(state) == 0:
                    state["exp_avg"] = torch.zeros_like(param)
                exp_avg = state["exp_avg"]
                param.mul_(1 - group["lr"] * group["weight_decay"])
                update = exp_avg.lerp(param.grad, 1 - beta1).sign_()
                param.add_(update, alpha=-group["lr"])
                exp_avg.lerp_(param.grad, 1 - beta2)


def make_inputs():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 1)), torch.randn(8, 4), torch.randn(8, 1)


def run(model, x, y):
    optimizer = Lion(model.parameters())
    loss = (model(x) - y).pow(2).mean()
    loss.backward()
    optimizer.step()
    model.zero_grad()
    return (model(x) - y).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
