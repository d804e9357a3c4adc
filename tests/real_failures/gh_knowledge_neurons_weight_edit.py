# expect: error
# source: https://github.com/Hunter-DDM/knowledge-neurons/issues/14
# report: editing a knowledge neuron with `dense.weight[:, pos] -= ori_pred_emb * lambda` raised "a view of a leaf Variable that requires grad is being used in an in-place operation"
# shape: augmented index assignment into a column of an nn.Linear weight (a leaf) outside torch.no_grad()
import torch
import torch.nn as nn


class FFN(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.intermediate = nn.Linear(dim, inner)
        self.output = nn.Linear(inner, dim)

    def forward(self, x):
        return self.output(torch.nn.functional.gelu(self.intermediate(x)))


def edit_knowledge(ffn, positions, ori_pred_emb, tgt_emb, lambda_1=0.5, lambda_2=0.5):
    for pos in positions:
        ffn.output.weight[:, pos] -= ori_pred_emb * lambda_1  # <- error
        ffn.output.weight[:, pos] += tgt_emb * lambda_2  # <- error


def make_inputs():
    torch.manual_seed(0)
    return FFN(4, 6), torch.randn(2, 4), torch.randn(4), torch.randn(4)


def run(ffn, hidden, ori_emb, tgt_emb):
    edit_knowledge(ffn, [1, 3], ori_emb, tgt_emb)
    return ffn(hidden).pow(2).mean()


def reference(ffn, hidden, ori_emb, tgt_emb):
    with torch.no_grad():
        for pos in [1, 3]:
            ffn.output.weight[:, pos] -= ori_emb * 0.5
            ffn.output.weight[:, pos] += tgt_emb * 0.5
    return ffn(hidden).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
