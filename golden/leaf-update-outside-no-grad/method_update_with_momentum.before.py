# outplace-golden: before-fails
import torch
import torch.nn as nn


def make_inputs():
    return (torch.randn(8, 3, requires_grad=True),)


def run(x):
    torch.manual_seed(2)
    model = nn.Linear(3, 2)
    momentum = {q: torch.zeros_like(q) for q in model.parameters()}
    for _ in range(2):
        with torch.enable_grad():
            loss = model(x.detach()).tanh().sum()
        model.zero_grad()
        loss.backward()
        params = list(model.parameters())
        for p in params:
            momentum[p].mul_(0.9).add_(p.grad)
            p.sub_(0.05 * momentum[p])  # the loop does more than update: this statement is wrapped
    return model(x).sum()


def reference(x):
    torch.manual_seed(2)
    model = nn.Linear(3, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(2):
        loss = model(x.detach()).tanh().sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model(x).sum()
