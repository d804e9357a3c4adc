import torch
import torch.nn as nn


class AbsolutePositionalEmbedding(nn.Module):
    def __init__(self, dim, max_seq_len):
        super().__init__()
        self.emb = nn.Embedding(max_seq_len, dim)

    def forward(self, x):
        positions = torch.arange(x.shape[1], device=x.device)
        return self.emb(positions)


class Encoder(nn.Module):
    def __init__(self, dim, depth, heads):
        super().__init__()
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(dim, heads, dim * 2, dropout=0.0, batch_first=True, norm_first=True)
            for _ in range(depth)
        ])
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.norm(x)


class ContinuousTransformerWrapper(nn.Module):
    def __init__(self, *, max_seq_len, attn_layers, dim, dim_in=None, dim_out=None, emb_dropout=0.0):
        super().__init__()
        self.pos_emb = AbsolutePositionalEmbedding(dim, max_seq_len)
        self.emb_dropout = nn.Dropout(emb_dropout)
        self.project_in = nn.Linear(dim_in, dim) if dim_in is not None else nn.Identity()
        self.attn_layers = attn_layers
        self.project_out = nn.Linear(dim, dim_out) if dim_out is not None else nn.Identity()

    def forward(self, x):
        x = self.project_in(x)
        x += self.pos_emb(x)  # <- error
        x = self.emb_dropout(x)
        x = self.attn_layers(x)
        return self.project_out(x)
