# expect: error
# source: https://github.com/BaiTheBest/SparseLLM/issues/13
# report: the inner optimisation of the auxiliary variable did `s_batch -= s_learning_rate * s_batch.grad` and raised "a leaf Variable that requires grad is being used in an in-place operation"
# shape: -= on a leaf tensor that requires grad (gradient step written by hand, no torch.no_grad())
import torch
import torch.nn as nn


def make_inputs():
    torch.manual_seed(0)
    return nn.Linear(4, 3), torch.randn(5, 4), torch.randn(5, 3)


def refine(layer, inputs, target, steps=3, s_learning_rate=0.1):
    s_batch = layer(inputs).detach().requires_grad_(True)
    for _ in range(steps):
        loss_s = (s_batch - target).pow(2).sum() + (s_batch - layer(inputs).detach()).pow(2).sum()
        loss_s.backward()
        s_batch -= s_learning_rate * s_batch.grad  # <- error
        s_batch.grad.zero_()
    return s_batch.detach()


def run(layer, inputs, target):
    s = refine(layer, inputs, target)
    return (layer(inputs) - s).pow(2).mean()


def reference(layer, inputs, target):
    s_batch = layer(inputs).detach().requires_grad_(True)
    for _ in range(3):
        loss_s = (s_batch - target).pow(2).sum() + (s_batch - layer(inputs).detach()).pow(2).sum()
        loss_s.backward()
        with torch.no_grad():
            s_batch -= 0.1 * s_batch.grad
        s_batch.grad.zero_()
    return (layer(inputs) - s_batch.detach()).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
