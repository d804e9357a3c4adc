# expect: error
# source: https://github.com/BierOne/bottom-up-attention-vqa/issues/6
# report: training failed on the output of ReluBackward0 ([512, 2048]); the classifier's `nn.Dropout(dropout, inplace=True)` had to become inplace=False
# shape: __init__: nn.Dropout(inplace=True) after nn.ReLU() in a Sequential built from a list (weight-normed Linears)
import torch
import torch.nn as nn
from torch.nn.utils.parametrizations import weight_norm


class SimpleClassifier(nn.Module):
    def __init__(self, in_dim, hid_dim, out_dim, dropout):
        super().__init__()
        layers = [
            weight_norm(nn.Linear(in_dim, hid_dim), dim=None),
            nn.ReLU(),
            nn.Dropout(dropout, inplace=True),  # <- error
            weight_norm(nn.Linear(hid_dim, out_dim), dim=None),
        ]
        self.main = nn.Sequential(*layers)

    def forward(self, x):
        return self.main(x)


def make_inputs():
    torch.manual_seed(0)
    return SimpleClassifier(6, 8, 3, 0.5), torch.randn(4, 6), torch.rand(4, 3)


def run(classifier, joint_repr, labels):
    logits = classifier(joint_repr)
    return nn.functional.binary_cross_entropy_with_logits(logits, labels)


def reference(classifier, joint_repr, labels):
    main = classifier.main
    h = nn.functional.dropout(torch.relu(main[0](joint_repr)), 0.5, training=True)
    return nn.functional.binary_cross_entropy_with_logits(main[3](h), labels)


if __name__ == "__main__":
    run(*make_inputs()).backward()
