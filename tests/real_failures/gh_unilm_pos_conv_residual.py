# expect: error
# source: https://github.com/microsoft/unilm/pull/999
# report: fine-tuning the audio backbone failed in backward on a [32, 768, 248] tensor; the in-place `x += x_conv` after the positional convolution was the cause
# shape: forward: x += conv(x.transpose(1, 2)) where the Conv1d saved a view of x
import torch
import torch.nn as nn


class SamePad(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.remove = 1 if kernel_size % 2 == 0 else 0

    def forward(self, x):
        return x[:, :, : -self.remove] if self.remove > 0 else x


class TransformerEncoder(nn.Module):
    def __init__(self, dim, kernel_size=4, groups=2):
        super().__init__()
        self.pos_conv = nn.Sequential(
            nn.Conv1d(dim, dim, kernel_size, padding=kernel_size // 2, groups=groups),
            SamePad(kernel_size),
            nn.GELU(),
        )
        self.layer_norm = nn.LayerNorm(dim)
        self.fc = nn.Linear(dim, dim)

    def extract_features(self, x):
        x_conv = self.pos_conv(x.transpose(1, 2))
        x_conv = x_conv.transpose(1, 2)
        x += x_conv  # <- error
        x = self.layer_norm(x)
        return self.fc(x)


class Backbone(nn.Module):
    def __init__(self, in_dim, dim):
        super().__init__()
        self.post_extract_proj = nn.Linear(in_dim, dim)
        self.encoder = TransformerEncoder(dim)

    def forward(self, feats):
        return self.encoder.extract_features(self.post_extract_proj(feats))


def make_inputs():
    torch.manual_seed(0)
    return Backbone(5, 8), torch.randn(2, 7, 5)


def run(model, feats):
    return model(feats).pow(2).mean()


def reference(model, feats):
    enc = model.encoder
    x = model.post_extract_proj(feats)
    x = x + enc.pos_conv(x.transpose(1, 2)).transpose(1, 2)
    return enc.fc(enc.layer_norm(x)).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
