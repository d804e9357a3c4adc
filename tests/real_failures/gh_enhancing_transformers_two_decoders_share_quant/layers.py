import torch
import torch.nn as nn


class PreNorm(nn.Module):
    def __init__(self, dim, fn):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fn = fn

    def forward(self, x):
        return self.fn(self.norm(x))


class FeedForward(nn.Module):
    def __init__(self, dim, hidden_dim):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, hidden_dim), nn.Tanh(), nn.Linear(hidden_dim, dim))

    def forward(self, x):
        return self.net(x)


class Transformer(nn.Module):
    def __init__(self, dim, depth, mlp_dim):
        super().__init__()
        self.layers = nn.ModuleList([PreNorm(dim, FeedForward(dim, mlp_dim)) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        for ff in self.layers:
            x = ff(x) + x
        return self.norm(x)


class ViTEncoder(nn.Module):
    def __init__(self, num_patches, patch_dim, dim, depth):
        super().__init__()
        self.to_patch_embedding = nn.Linear(patch_dim, dim)
        self.en_pos_embedding = nn.Parameter(torch.zeros(1, num_patches, dim))
        self.transformer = Transformer(dim, depth, dim * 2)

    def forward(self, patches):
        x = self.to_patch_embedding(patches)
        x = x + self.en_pos_embedding
        return self.transformer(x)


class ViTDecoder(nn.Module):
    def __init__(self, num_patches, patch_dim, dim, depth):
        super().__init__()
        self.de_pos_embedding = nn.Parameter(torch.zeros(1, num_patches, dim))
        self.transformer = Transformer(dim, depth, dim * 2)
        self.to_pixel = nn.Linear(dim, patch_dim)

    def forward(self, token):
        token += self.de_pos_embedding  # <- error
        x = self.transformer(token)
        return self.to_pixel(x)
