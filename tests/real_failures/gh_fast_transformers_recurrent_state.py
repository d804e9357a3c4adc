# expect: error
# source: https://github.com/idiap/fast-transformers/pull/10
# report: recurrent linear attention updated its state with in-place `Zi += K` and `Si += ...`; chaining its output into other modules made backward fail
# shape: forward: state tensors passed back in by the caller are updated with += after einsum saved them (recurrent loop)
import torch
import torch.nn as nn
import torch.nn.functional as F


class RecurrentLinearAttention(nn.Module):
    def __init__(self, eps=1e-6):
        super().__init__()
        self.eps = eps

    def forward(self, query, key, value, state=None):
        Q = F.elu(query) + 1
        K = F.elu(key) + 1
        N, H, D = Q.shape
        M = value.shape[-1]
        if state is None:
            Si = query.new_zeros((N, H, D, M))
            Zi = query.new_zeros((N, H, D))
        else:
            Si, Zi = state
        Zi += K  # <- error
        Si += torch.einsum("nhd,nhm->nhdm", K, value)  # <- error
        Z = 1.0 / (torch.einsum("nhd,nhd->nh", Q, Zi) + self.eps)
        V = torch.einsum("nhd,nhdm,nh->nhm", Q, Si, Z)
        return V, [Si, Zi]


class RecurrentLayer(nn.Module):
    def __init__(self, dim, heads=2):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.attention = RecurrentLinearAttention()

    def forward(self, x, state=None):
        n, d = x.shape
        q, k, v = self.qkv(x).view(n, 3, self.heads, d // self.heads).unbind(1)
        out, state = self.attention(q, k, v, state)
        return out.reshape(n, d), state


def make_inputs():
    torch.manual_seed(0)
    return RecurrentLayer(4), torch.randn(3, 2, 4)


def run(layer, sequence):
    state = None
    outputs = []
    for x in sequence:
        out, state = layer(x, state)
        outputs.append(out)
    return torch.stack(outputs).pow(2).mean()


def reference(layer, sequence):
    Si = Zi = 0
    outputs = []
    for x in sequence:
        n, d = x.shape
        q, k, v = layer.qkv(x).view(n, 3, layer.heads, d // layer.heads).unbind(1)
        Q, K = F.elu(q) + 1, F.elu(k) + 1
        Zi = Zi + K
        Si = Si + torch.einsum("nhd,nhm->nhdm", K, v)
        Z = 1.0 / (torch.einsum("nhd,nhd->nh", Q, Zi) + 1e-6)
        outputs.append(torch.einsum("nhd,nhdm,nh->nhm", Q, Si, Z).reshape(n, d))
    return torch.stack(outputs).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
