# expect: error
# source: https://github.com/pytorch/pytorch/issues/727
# report: `F.relu(x, inplace=True)` followed by `F.dropout(x, p=0.1, inplace=True)` on an input that requires grad broke the backward pass; the advice was to drop the inplace flags
# shape: forward: F.relu(inplace=True) on a leaf input, then F.dropout(inplace=True) on relu's saved output
import torch
import torch.nn as nn
import torch.nn.functional as F


class Head(nn.Module):
    def __init__(self, dim, classes):
        super().__init__()
        self.fc = nn.Linear(dim, classes)

    def forward(self, x):
        x = F.relu(x, inplace=True)  # <- error
        x = F.dropout(x, p=0.1, training=self.training, inplace=True)  # <- error
        return self.fc(x.flatten(1))


def make_inputs():
    torch.manual_seed(0)
    return Head(24, 3), torch.randn(2, 6, 2, 2, requires_grad=True)


def run(head, features):
    return head(features).sum()


def reference(head, features):
    x = F.dropout(F.relu(features), p=0.1, training=True)
    return head.fc(x.flatten(1)).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
