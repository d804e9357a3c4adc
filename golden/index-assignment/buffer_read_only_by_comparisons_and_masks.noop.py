# outplace-golden: no-findings
import torch


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(3, 5, requires_grad=True),)


def run(scores: torch.Tensor):
    alphas = torch.zeros_like(scores)
    picked = []
    for i in range(scores.shape[0]):
        alphas[i] = torch.sigmoid(scores[i]) * 2  # carries grad, but nothing below saves alphas
        keep = alphas[i] > 1.0
        chosen = alphas[i][keep]  # a mask selection copies
        picked.append(chosen.sum())
    return torch.stack(picked).sum() + alphas.sum()
