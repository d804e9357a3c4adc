# expect: error
# source: https://github.com/huggingface/trl/pull/7125
# report: a speed-up of entropy_from_logits computed `probs = logps.exp()` then `probs.mul_(logps)`; review pointed out exp saved its output, so GRPO's entropy bonus crashes in backward
# shape: helper called from the loss: in-place method on the result of exp(), inside a loop over chunks
import torch
import torch.nn as nn
import torch.nn.functional as F


def entropy_from_logits(logits, chunk_size=2):
    flat_logits = logits.reshape(-1, logits.size(-1))
    entropies = []
    for chunk in flat_logits.split(chunk_size, dim=0):
        logps = F.log_softmax(chunk, dim=-1)
        probs = logps.exp()
        probs.mul_(logps)  # <- error
        entropies.append(probs.sum(-1).neg_())
    return torch.cat(entropies).reshape(logits.shape[:-1])


class Policy(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lm_head = nn.Linear(dim, vocab)

    def forward(self, ids):
        return self.lm_head(torch.tanh(self.embed(ids)))


def make_inputs():
    torch.manual_seed(0)
    return Policy(7, 4), torch.randint(0, 7, (2, 3)), torch.randn(2)


def run(policy, ids, advantages):
    logits = policy(ids)
    logps = logits.log_softmax(-1).gather(-1, ids.unsqueeze(-1)).squeeze(-1)
    pg_loss = -(logps.sum(-1) * advantages).mean()
    return pg_loss - 0.01 * entropy_from_logits(logits).mean()


def reference(policy, ids, advantages):
    logits = policy(ids)
    logps = logits.log_softmax(-1).gather(-1, ids.unsqueeze(-1)).squeeze(-1)
    pg_loss = -(logps.sum(-1) * advantages).mean()
    entropies = []
    for chunk in logits.reshape(-1, logits.size(-1)).split(2, dim=0):
        chunk_logps = F.log_softmax(chunk, dim=-1)
        entropies.append(-(chunk_logps.exp() * chunk_logps).sum(-1))
    return pg_loss - 0.01 * torch.cat(entropies).reshape(logits.shape[:-1]).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
