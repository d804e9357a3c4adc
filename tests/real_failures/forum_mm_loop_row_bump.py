# expect: error
# source: https://www.yongfengli.tk/2018/04/13/inplace-operation-in-pytorch.html
# report: a forward that bumped one row of b = mm(param, a) per loop step with b[i] = b[i] + 1, and fed b to mm again each step, failed because mm had saved b
# shape: forward loop: index assignment into a tensor a previous iteration's mm saved
import torch
import torch.nn as nn


class RowBump(nn.Module):
    def __init__(self, size=4):
        super().__init__()
        self.param = nn.Parameter(torch.randn(size, size) * 0.5)

    def forward(self, a):
        y = 0
        b = torch.mm(self.param, a)
        for i in range(b.size(0)):
            b[i] = b[i] + 1  # <- error
            y = y + torch.mm(self.param, b)
        return y


def make_inputs():
    torch.manual_seed(0)
    return RowBump(), torch.randn(4, 1)


def run(model, a):
    return model(a).sum()


def reference(model, a):
    y = 0
    b = torch.mm(model.param, a)
    for i in range(b.size(0)):
        bump = torch.zeros_like(b)
        bump[i] = 1
        b = b + bump
        y = y + torch.mm(model.param, b)
    return y.sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
