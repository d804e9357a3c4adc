# expect: error
# source: https://github.com/BierOne/bottom-up-attention-vqa/issues/6
# report: training failed with "output 0 of ReluBackward0 is at version 1"; the answer classifier's Sequential had nn.Dropout(dropout, inplace=True) right after nn.ReLU(), and inplace=False fixed it
# shape: nn.Dropout(inplace=True) after nn.ReLU() (ReLU saved its output) in an nn.Sequential
import torch
import torch.nn as nn
import torch.nn.functional as F


class SimpleClassifier(nn.Module):
    def __init__(self, q_dim=5, v_dim=6, hidden=8, answers=4, dropout=0.5):
        super().__init__()
        self.q_net = nn.Linear(q_dim, hidden)
        self.v_net = nn.Linear(v_dim, hidden)
        self.main = nn.Sequential(
            nn.Linear(hidden, hidden * 2),
            nn.ReLU(),
            nn.Dropout(dropout, inplace=True),  # <- error
            nn.Linear(hidden * 2, answers),
        )

    def forward(self, q_emb, v_emb):
        joint_repr = self.q_net(q_emb) * self.v_net(v_emb)
        return self.main(joint_repr)


def make_inputs():
    torch.manual_seed(0)
    return SimpleClassifier(), torch.randn(3, 5), torch.randn(3, 6), torch.rand(3, 4)


def run(model, q_emb, v_emb, target):
    return F.binary_cross_entropy_with_logits(model(q_emb, v_emb), target)


def reference(model, q_emb, v_emb, target):
    joint = model.q_net(q_emb) * model.v_net(v_emb)
    hidden = F.dropout(F.relu(model.main[0](joint)), 0.5, training=True)
    return F.binary_cross_entropy_with_logits(model.main[3](hidden), target)


if __name__ == "__main__":
    run(*make_inputs()).backward()
