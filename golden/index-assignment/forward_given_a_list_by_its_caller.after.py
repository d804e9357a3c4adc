# outplace-golden: before-fails, unsafe-fixes
import torch
import torch.nn as nn


class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 4)])

    def forward(self, feats):
        z = []
        for i in range(2):
            feats[i] = self.convs[i](feats[i])  # an element of the caller's list rebound: no tensor written
            feats[i] = feats[i].view(2, 2, 2).transpose(1, 2).contiguous()
            y = feats[i].sigmoid()
            y = y.select_scatter((y[..., 0] * 2).expand_as(y[..., 0]), -1, 0)  # sigmoid saved y
            z.append(y)
        return torch.cat(z, 1), feats


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Linear(3, 4)
        self.heads = Heads()

    def forward(self, x):
        return self.heads([self.stem(x), self.stem(x * 2)])


def make_inputs():
    return (torch.randn(2, 3, requires_grad=True),)


def run(x):
    torch.manual_seed(0)  # the modules live in this file: before and after build their own
    out, _ = Net()(x)
    return out.pow(2).sum()


def reference(x):
    torch.manual_seed(0)
    net = Net()
    z = []
    for i, f in enumerate([net.stem(x), net.stem(x * 2)]):
        y = net.heads.convs[i](f).view(2, 2, 2).transpose(1, 2).sigmoid()
        z.append(torch.cat([y[..., :1] * 2, y[..., 1:]], -1))
    return torch.cat(z, 1).pow(2).sum()
