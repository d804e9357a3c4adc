# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(5, 3, requires_grad=True),)


def run(x):
    w = torch.ones(3, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    with torch.enable_grad():
        loss = (x.detach() @ w + b).pow(2).sum()
    loss.backward()

    # one step by hand
    w -= 0.01 * w.grad
    # the bias too
    b.sub_(0.01 * b.grad)  # bias
    return (x @ w + b).sum()


def reference(x):
    w = torch.ones(3, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=0.01)
    (x.detach() @ w + b).pow(2).sum().backward()
    optimizer.step()
    return (x @ w + b).sum()
