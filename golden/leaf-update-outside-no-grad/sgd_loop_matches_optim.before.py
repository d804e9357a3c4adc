# outplace-golden: before-fails
import torch
import torch.nn as nn


def make_inputs():
    return (torch.randn(8, 3, requires_grad=True),)


def run(x):
    torch.manual_seed(1)
    model = nn.Linear(3, 1)
    for _ in range(3):
        with torch.enable_grad():
            loss = model(x.detach()).pow(2).mean()
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p -= 0.1 * p.grad  # a leaf that requires grad: raises at once
    return model(x).sum()


def reference(x):
    torch.manual_seed(1)
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(3):
        loss = model(x.detach()).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model(x).sum()
