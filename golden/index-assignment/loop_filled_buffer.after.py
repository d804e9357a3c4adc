# outplace-golden: before-fails, unsafe-fixes
import torch


def make_inputs():
    return torch.randn(3, 5, requires_grad=True), torch.randn((), requires_grad=True)


def run(x: torch.Tensor, w: torch.Tensor):
    n = x.shape[1]
    out = torch.zeros(3, n)
    out_steps = []
    for i in range(n):
        out_steps.append(torch.tanh(x[:, i] + (out_steps[i - 1] if i >= 1 else out[:, i - 1]) * w))  # mul saves its input, a view of out
    out = torch.stack(out_steps, 1)
    return (out * out).sum()


def reference(x, w):
    steps = []
    for i in range(x.shape[1]):
        previous = steps[-1] if steps else torch.zeros(3)
        steps.append(torch.tanh(x[:, i] + previous * w))
    out = torch.stack(steps, 1)
    return (out * out).sum()
