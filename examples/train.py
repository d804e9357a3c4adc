"""A small gated-attention classifier trained on synthetic data.

`python examples/train.py` fails at the first backward() with
"one of the variables needed for gradient computation has been modified by an inplace
operation". `outplace fix examples/` rewrites the two harmful in-place writes and leaves the
intentional ones (the EMA update under no_grad, counters, running sums) alone.
"""

import torch
import torch.nn.functional as F
from torch import nn


class GatedAttentionPool(nn.Module):
    """Scores each token, gates its features, and pools them into one vector."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.proj = nn.Linear(dim, hidden)
        self.gate = nn.Linear(dim, hidden)
        self.score = nn.Linear(hidden, 1)
        self.act = nn.ReLU(inplace=True)  # after a Linear: in-place is correct and saves memory

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        h = self.act(self.proj(x))
        g = torch.sigmoid(self.gate(x))
        g *= 2  # sigmoid saved g for backward: this write breaks it
        h = h * g
        weights = torch.softmax(self.score(h).squeeze(-1), dim=-1)
        weights.mul_(mask)  # softmax saved its output too
        weights = weights / weights.sum(dim=-1, keepdim=True).clamp_min(1e-6)
        return (weights.unsqueeze(-1) * h).sum(dim=1)


class Classifier(nn.Module):
    def __init__(self, dim: int = 16, hidden: int = 32, classes: int = 3) -> None:
        super().__init__()
        self.pool = GatedAttentionPool(dim, hidden)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.pool(x, mask))


def make_batch(batch: int, tokens: int, dim: int, generator: torch.Generator):
    """Tokens whose mean along one direction decides the class; padding masked out."""
    x = torch.randn(batch, tokens, dim, generator=generator)
    lengths = torch.randint(2, tokens + 1, (batch,), generator=generator)
    mask = (torch.arange(tokens)[None, :] < lengths[:, None]).float()
    signal = (x[..., 0] * mask).sum(1) / lengths
    y = torch.bucketize(signal, torch.tensor([-0.3, 0.3]))
    return x, mask, y


def train(steps: int = 150, seed: int = 0) -> float:
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = Classifier()
    ema = Classifier()
    ema.load_state_dict(model.state_dict())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    running_loss, seen = 0.0, 0
    first = None
    for step in range(steps):
        x, mask, y = make_batch(32, 8, 16, generator)
        loss = F.cross_entropy(model(x, mask), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():  # in-place is intended here: EMA weights never need grad
            for p_ema, p in zip(ema.parameters(), model.parameters()):
                p_ema.mul_(0.99).add_(p, alpha=0.01)
        running_loss += loss.item()
        seen += 1
        if first is None:
            first = loss.item()
        if (step + 1) % 50 == 0:
            print(f"step {step + 1}: loss {running_loss / seen:.3f}")
            running_loss, seen = 0.0, 0
    final = loss.item()
    print(f"first loss {first:.3f}, last loss {final:.3f}")
    return final


if __name__ == "__main__":
    train()
