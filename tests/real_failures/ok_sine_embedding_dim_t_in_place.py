# expect: clean
# source: https://github.com/huggingface/transformers/blob/main/src/transformers/models/dab_detr/modeling_dab_detr.py
# report: the sine position embedding builds dim_t from torch.arange and transforms it in place (//=, mul_, copy_) to save an allocation; nothing that requires grad ever touches it
# shape: //=, mul_ and copy_ on a fresh float arange
import math

import torch
import torch.nn as nn


class SinePositionEmbedding(nn.Module):
    def __init__(self, embedding_dim=4, temperature=20):
        super().__init__()
        self.embedding_dim = embedding_dim
        self.temperature = temperature
        self.scale = 2 * math.pi

    def forward(self, pixel_mask):
        x_embed = pixel_mask.cumsum(2, dtype=torch.float32)
        x_embed = x_embed / (x_embed[:, :, -1:] + 1e-6) * self.scale
        dim_tx = torch.arange(self.embedding_dim, dtype=torch.float32)
        dim_tx //= 2
        dim_tx.mul_(2 / self.embedding_dim)
        dim_tx.copy_(self.temperature**dim_tx)
        pos_x = x_embed[:, :, :, None] / dim_tx
        pos_x = torch.stack((pos_x[:, :, :, 0::2].sin(), pos_x[:, :, :, 1::2].cos()), dim=4).flatten(3)
        return pos_x.permute(0, 3, 1, 2)


def make_inputs():
    torch.manual_seed(0)
    return SinePositionEmbedding(), nn.Conv2d(3, 4, 1), torch.ones(2, 3, 3, dtype=torch.long), torch.randn(2, 3, 3, 3)


def run(embedding, backbone, pixel_mask, images):
    return (backbone(images) + embedding(pixel_mask)).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
