# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/models/swin_transformer.py
# report: the shifted-window block labels image regions by slice-assigning a counter into img_mask built with torch.zeros, then derives the additive attention mask from it
# shape: slice assignment into a mask built from torch.zeros, added to attention scores
import torch
import torch.nn as nn


def shifted_window_mask(height, width, window, shift):
    img_mask = torch.zeros((1, height, width, 1))
    cnt = 0
    for h in ((0, -window), (-window, -shift), (-shift, None)):
        for w in ((0, -window), (-window, -shift), (-shift, None)):
            img_mask[:, h[0] : h[1], w[0] : w[1], :] = cnt
            cnt += 1
    windows = img_mask.view(1, height // window, window, width // window, window, 1)
    windows = windows.permute(0, 1, 3, 2, 4, 5).reshape(-1, window * window)
    attn_mask = windows.unsqueeze(1) - windows.unsqueeze(2)
    return attn_mask.masked_fill(attn_mask != 0, -100.0)


class ShiftedWindowScores(nn.Module):
    def __init__(self, dim=4):
        super().__init__()
        self.qk = nn.Linear(dim, 2 * dim)
        self.register_buffer("attn_mask", shifted_window_mask(4, 4, 2, 1), persistent=False)

    def forward(self, windows):
        q, k = self.qk(windows).chunk(2, dim=-1)
        return torch.softmax(q @ k.transpose(-2, -1) + self.attn_mask, dim=-1)


def make_inputs():
    torch.manual_seed(0)
    return ShiftedWindowScores(), torch.randn(4, 4, 4, requires_grad=True)


def run(module, windows):
    return (module(windows) * torch.arange(4.0)).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
