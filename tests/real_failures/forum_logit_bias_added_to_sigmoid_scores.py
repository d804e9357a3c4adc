# expect: error
# source: https://github.com/wutong16/DistributionBalancedLoss/issues/20
# report: loss.backward() failed with "output 0 of SigmoidBackward0 is at version 1"; the loss's logit regularizer adds the negative-class bias onto the scores it receives with +=, and the model's scores came out of a sigmoid
# shape: loss helper: += onto its argument, a sigmoid output from the model
import torch
import torch.nn as nn
import torch.nn.functional as F


class MultiLabelHead(nn.Module):
    def __init__(self, dim=6, classes=5):
        super().__init__()
        self.fc = nn.Linear(dim, classes)

    def forward(self, x):
        return torch.sigmoid(self.fc(x))


class BalancedLoss(nn.Module):
    def __init__(self, classes=5, neg_scale=5.0):
        super().__init__()
        self.neg_scale = neg_scale
        self.register_buffer("neg_bias", torch.linspace(-0.2, 0.2, classes))

    def logit_reg(self, labels, logits):
        logits += self.neg_bias  # <- error
        return logits * (1 - labels) * self.neg_scale + logits * labels

    def forward(self, cls_score, labels):
        return F.binary_cross_entropy_with_logits(self.logit_reg(labels, cls_score), labels)


def make_inputs():
    torch.manual_seed(0)
    labels = (torch.rand(4, 5) > 0.5).float()
    return MultiLabelHead(), BalancedLoss(), torch.randn(4, 6), labels


def run(head, criterion, x, labels):
    return criterion(head(x), labels)


def reference(head, criterion, x, labels):
    logits = head(x) + criterion.neg_bias
    logits = logits * (1 - labels) * criterion.neg_scale + logits * labels
    return F.binary_cross_entropy_with_logits(logits, labels)


if __name__ == "__main__":
    run(*make_inputs()).backward()
