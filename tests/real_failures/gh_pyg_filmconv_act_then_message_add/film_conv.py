import torch
import torch.nn as nn


class FiLMConv(nn.Module):
    """Graph convolution whose neighbour messages are scaled and shifted by the receiving node."""

    def __init__(self, in_channels, out_channels, num_relations=1, act=nn.ReLU()):
        super().__init__()
        self.out_channels = out_channels
        self.num_relations = max(num_relations, 1)
        self.act = act
        self.lins = nn.ModuleList([nn.Linear(in_channels, out_channels, bias=False) for _ in range(self.num_relations)])
        self.films = nn.ModuleList([nn.Linear(in_channels, 2 * out_channels) for _ in range(self.num_relations)])
        self.lin_skip = nn.Linear(in_channels, out_channels, bias=False)
        self.film_skip = nn.Linear(in_channels, 2 * out_channels, bias=False)

    def forward(self, x, edge_index, edge_type=None):
        beta, gamma = self.film_skip(x).split(self.out_channels, dim=-1)
        out = gamma * self.lin_skip(x) + beta
        if self.act is not None:
            out = self.act(out)

        if self.num_relations == 1:
            beta, gamma = self.films[0](x).split(self.out_channels, dim=-1)
            out += self.propagate(edge_index, self.lins[0](x), beta, gamma)  # <- error
        else:
            for i, (lin, film) in enumerate(zip(self.lins, self.films)):
                beta, gamma = film(x).split(self.out_channels, dim=-1)
                mask = edge_type == i
                out += self.propagate(edge_index[:, mask], lin(x), beta, gamma)  # <- error
        return out

    def propagate(self, edge_index, x, beta, gamma):
        src, dst = edge_index
        messages = gamma[dst] * x[src] + beta[dst]
        if self.act is not None:
            messages = self.act(messages)
        total = torch.zeros_like(x).index_add(0, dst, messages)
        count = torch.zeros(x.size(0), 1).index_add(0, dst, torch.ones(dst.numel(), 1))
        return total / count.clamp(min=1)
