# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/models/swin_transformer.py
# report: get_relative_position_index shifts and scales the pairwise window coordinates with += and *= on integer slices, and the window attention indexes its learnable bias table with the result
# shape: += / *= on slices of an integer index tensor (no grad), then indexing a parameter
import torch
import torch.nn as nn


def get_relative_position_index(win_h, win_w):
    coords = torch.stack(torch.meshgrid(torch.arange(win_h), torch.arange(win_w), indexing="ij"))
    coords_flatten = torch.flatten(coords, 1)
    relative_coords = coords_flatten[:, :, None] - coords_flatten[:, None, :]
    relative_coords = relative_coords.permute(1, 2, 0).contiguous()
    relative_coords[:, :, 0] += win_h - 1
    relative_coords[:, :, 1] += win_w - 1
    relative_coords[:, :, 0] *= 2 * win_w - 1
    return relative_coords.sum(-1)


class WindowBias(nn.Module):
    def __init__(self, window=(2, 3), heads=2):
        super().__init__()
        self.window_area = window[0] * window[1]
        self.table = nn.Parameter(torch.randn((2 * window[0] - 1) * (2 * window[1] - 1), heads) * 0.1)
        self.register_buffer("relative_position_index", get_relative_position_index(*window), persistent=False)

    def forward(self, scores):
        bias = self.table[self.relative_position_index.view(-1)].view(self.window_area, self.window_area, -1)
        return torch.softmax(scores + bias.permute(2, 0, 1), dim=-1)


def make_inputs():
    torch.manual_seed(0)
    return WindowBias(), torch.randn(3, 2, 6, 6, requires_grad=True)


def run(module, scores):
    return (module(scores) * torch.arange(6.0)).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
