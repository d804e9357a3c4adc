# expect: error
# source: https://github.com/pytorch/pytorch/issues/9391
# report: writing one element of `b = a.sigmoid()` (b[1] = 2) made backward fail, while the same write after a hand-written sigmoid did not
# shape: forward: index assignment into the output of .sigmoid(), which saved it
import torch
import torch.nn as nn


class Gate(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        gate = self.proj(x).sigmoid()
        gate[:, 0] = 1.0  # <- error
        return x * gate


def make_inputs():
    torch.manual_seed(0)
    return Gate(3), torch.randn(4, 3, requires_grad=True)


def run(gate, x):
    return gate(x).sum()


def reference(gate, x):
    g = gate.proj(x).sigmoid()
    g = torch.cat([torch.ones_like(g[:, :1]), g[:, 1:]], dim=1)
    return (x * g).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
