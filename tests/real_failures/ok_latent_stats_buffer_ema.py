# expect: clean
# source: https://github.com/huggingface/transformers/blob/main/src/transformers/models/pocket_tts/modeling_pocket_tts.py
# report: during the first training forwards the model moves its latent_mean / latent_std buffers toward the target frames' statistics with mul_(decay).add_(...) and counts the updates with +=
# shape: in-place EMA update of buffers from targets (no grad) inside a training forward
import torch
import torch.nn as nn


class LatentHead(nn.Module):
    def __init__(self, dim=4, decay=0.9):
        super().__init__()
        self.decay = decay
        self.proj = nn.Linear(dim, dim)
        self.register_buffer("latent_mean", torch.zeros(dim))
        self.register_buffer("latent_std", torch.ones(dim))
        self.register_buffer("latent_stats_num_updates", torch.zeros((), dtype=torch.long))

    def update_latent_stats(self, labels, labels_mask):
        frames = labels[labels_mask.bool()]
        self.latent_mean.mul_(self.decay).add_(frames.mean(dim=0), alpha=1 - self.decay)
        self.latent_std.mul_(self.decay).add_(frames.std(dim=0), alpha=1 - self.decay)
        self.latent_stats_num_updates += 1

    def forward(self, inputs, labels, labels_mask):
        if self.training:
            self.update_latent_stats(labels, labels_mask)
        target = (labels - self.latent_mean) / self.latent_std
        return (self.proj(inputs) - target).pow(2)[labels_mask.bool()].mean()


def make_inputs():
    torch.manual_seed(0)
    return LatentHead(), torch.randn(2, 5, 4), torch.randn(2, 5, 4) * 3 + 1, torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])


def run(head, inputs, labels, labels_mask):
    return head(inputs, labels, labels_mask)


if __name__ == "__main__":
    run(*make_inputs()).backward()
