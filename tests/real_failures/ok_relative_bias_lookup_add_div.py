# expect: clean
# source: https://github.com/huggingface/transformers/blob/main/src/transformers/models/layoutlmv3/modeling_layoutlmv3.py
# report: LayoutLMv3 computes the relative position buckets with clamp_().add_() on integer indices, gathers the bias table under torch.no_grad(), then combines the x and y biases with add_ and scales them with div_
# shape: clamp_/add_ on integer tensors; add_/div_ on values gathered under no_grad
import math

import torch
import torch.nn as nn


class RelativeBias(nn.Module):
    def __init__(self, heads=2, bins=8, max_distance=3):
        super().__init__()
        self.max_distance = max_distance
        self.rel_pos_x_bias = nn.Linear(bins, heads, bias=False)
        self.rel_pos_y_bias = nn.Linear(bins, heads, bias=False)

    def lookup(self, positions, bias):
        indices = positions.unsqueeze(-2) - positions.unsqueeze(-1)
        indices = indices.clamp_(-self.max_distance, self.max_distance).add_(self.max_distance)
        with torch.no_grad():
            values = bias.weight[:, indices.flatten()].view(-1, *indices.shape)
        return values.transpose(0, 1)

    def forward(self, bbox, head_dim=4):
        rel_pos_x = self.lookup(bbox[:, :, 0], self.rel_pos_x_bias)
        rel_pos_y = self.lookup(bbox[:, :, 1], self.rel_pos_y_bias)
        return rel_pos_x.add_(rel_pos_y).div_(math.sqrt(head_dim))


def make_inputs():
    torch.manual_seed(0)
    return RelativeBias(), torch.randint(0, 6, (2, 5, 2)), torch.randn(2, 2, 5, 5, requires_grad=True)


def run(bias_module, bbox, scores):
    probs = torch.softmax(scores + bias_module(bbox), dim=-1)
    return (probs * torch.arange(5.0)).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
