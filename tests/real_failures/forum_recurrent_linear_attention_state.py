# expect: error
# source: https://github.com/idiap/fast-transformers/pull/10
# report: chaining the recurrent linear attention to other modules raised the in-place error; the step function updated the carried memory Si and Zi with += although the previous step's einsum had saved them
# shape: recurrent step: += on state carried over from the previous call (saved by einsum)
import torch
import torch.nn as nn
import torch.nn.functional as F


class RecurrentLinearAttention(nn.Module):
    def __init__(self, eps=1e-6):
        super().__init__()
        self.eps = eps

    def forward(self, query, key, value, memory=None):
        q = F.elu(query) + 1
        k = F.elu(key) + 1
        n, h, d = q.shape
        if memory is None:
            si = query.new_zeros((n, h, d, value.shape[-1]))
            zi = query.new_zeros((n, h, d))
        else:
            si, zi = memory
        zi += k  # <- error
        si += torch.einsum("nhd,nhm->nhdm", k, value)  # <- error
        z = 1.0 / (torch.einsum("nhd,nhd->nh", q, zi) + self.eps)
        v = torch.einsum("nhd,nhdm,nh->nhm", q, si, z)
        return v, [si, zi]


def make_inputs():
    torch.manual_seed(0)
    return RecurrentLinearAttention(), nn.Linear(4, 3 * 2 * 3), torch.randn(5, 2, 4)


def run(attention, to_qkv, tokens):
    memory, outputs = None, []
    for t in range(tokens.shape[0]):
        q, k, v = to_qkv(tokens[t]).view(2, 3, 2, 3).unbind(1)
        out, memory = attention(q, k, v, memory)
        outputs.append(out)
    return torch.stack(outputs).pow(2).sum()


def reference(attention, to_qkv, tokens):
    si = zi = 0
    outputs = []
    for t in range(tokens.shape[0]):
        q, k, v = to_qkv(tokens[t]).view(2, 3, 2, 3).unbind(1)
        q, k = F.elu(q) + 1, F.elu(k) + 1
        zi = zi + k
        si = si + torch.einsum("nhd,nhm->nhdm", k, v)
        z = 1.0 / (torch.einsum("nhd,nhd->nh", q, zi) + attention.eps)
        outputs.append(torch.einsum("nhd,nhdm,nh->nhm", q, si, z))
    return torch.stack(outputs).pow(2).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
