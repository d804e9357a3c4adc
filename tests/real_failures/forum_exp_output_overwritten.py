# expect: error
# source: https://discuss.pytorch.org/t/when-inplace-operation-are-allowed-and-when-not/169583/3
# report: writing an element of u was fine but writing an element of u.exp() failed, because exp saves its output for backward
# shape: forward: index assignment into the output of exp()
import torch
import torch.nn as nn


class PositiveScores(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 3)

    def forward(self, x):
        scores = (2 * self.proj(x)).exp()
        loss = scores.sum()
        scores[:, 0] = 0.0  # <- error
        return loss, scores


def make_inputs():
    torch.manual_seed(0)
    return PositiveScores(), torch.randn(5, 4)


def run(model, x):
    loss, scores = model(x)
    return loss + scores.mean()


def reference(model, x):
    scores = (2 * model.proj(x)).exp()
    loss = scores.sum()
    scores = torch.cat([torch.zeros_like(scores[:, :1]), scores[:, 1:]], dim=1)
    return loss + scores.mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
