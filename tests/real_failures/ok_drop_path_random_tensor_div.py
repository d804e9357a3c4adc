# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/layers/drop.py
# report: drop_path builds a per-sample Bernoulli mask with new_empty(...).bernoulli_() and rescales it with div_ before multiplying the branch by it
# shape: in-place bernoulli_/div_ on a fresh mask tensor that never requires grad
import torch
import torch.nn as nn


def drop_path(x, drop_prob=0.0, training=False, scale_by_keep=True):
    if drop_prob == 0.0 or not training:
        return x
    keep_prob = 1 - drop_prob
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    random_tensor = x.new_empty(shape).bernoulli_(keep_prob)
    if keep_prob > 0.0 and scale_by_keep:
        random_tensor.div_(keep_prob)
    return x * random_tensor


class ResidualMlp(nn.Module):
    def __init__(self, dim=6, drop_prob=0.3):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.drop_prob = drop_prob

    def forward(self, x):
        return x + drop_path(torch.tanh(self.fc(x)), self.drop_prob, self.training)


def make_inputs():
    torch.manual_seed(0)
    return ResidualMlp(), torch.randn(8, 6, requires_grad=True)


def run(block, x):
    return block(x).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
