# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/models/hiera.py
# report: Hiera's random masking builds mask = torch.zeros([B, num_windows]), sets the first len_keep entries with mask[:, :len_keep] = 1, and unshuffles it with gather before masking tokens
# shape: slice assignment into a mask built from torch.zeros, used to select tokens
import torch
import torch.nn as nn


def get_random_mask(x, num_windows, mask_ratio):
    B = x.shape[0]
    len_keep = int(num_windows * (1 - mask_ratio))
    noise = torch.rand(B, num_windows)
    ids_restore = torch.argsort(torch.argsort(noise, dim=1), dim=1)
    mask = torch.zeros([B, num_windows])
    mask[:, :len_keep] = 1
    return torch.gather(mask, dim=1, index=ids_restore).bool()


class MaskedEncoder(nn.Module):
    def __init__(self, dim=4):
        super().__init__()
        self.embed = nn.Linear(dim, dim)
        self.mask_token = nn.Parameter(torch.zeros(dim))

    def forward(self, tokens, mask_ratio=0.5):
        mask = get_random_mask(tokens, tokens.shape[1], mask_ratio)
        x = self.embed(tokens)
        return torch.where(mask.unsqueeze(-1), x, self.mask_token)


def make_inputs():
    torch.manual_seed(0)
    return MaskedEncoder(), torch.randn(2, 6, 4)


def run(encoder, tokens):
    return encoder(tokens).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
