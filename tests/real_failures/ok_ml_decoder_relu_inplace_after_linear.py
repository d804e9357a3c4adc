# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/layers/ml_decoder.py
# report: MLDecoder projects the spatial tokens with a Linear and applies F.relu(..., inplace=True) to the projection before the transformer decoder reads it
# shape: F.relu(inplace=True) on a Linear output
import torch
import torch.nn as nn


class MLDecoderHead(nn.Module):
    def __init__(self, in_dim=6, dim=8, queries=3, classes=4):
        super().__init__()
        self.embed_standart = nn.Linear(in_dim, dim)
        self.query_embed = nn.Embedding(queries, dim)
        self.attn = nn.MultiheadAttention(dim, 2)
        self.fc = nn.Linear(dim, classes)

    def forward(self, x):
        embedding_spatial = x.flatten(2).transpose(1, 2)
        embedding_spatial_786 = self.embed_standart(embedding_spatial)
        embedding_spatial_786 = torch.nn.functional.relu(embedding_spatial_786, inplace=True)
        tgt = self.query_embed.weight.unsqueeze(1).expand(-1, x.shape[0], -1)
        memory = embedding_spatial_786.transpose(0, 1)
        h = self.attn(tgt, memory, memory)[0].transpose(0, 1)
        return self.fc(h).mean(1)


def make_inputs():
    torch.manual_seed(0)
    return MLDecoderHead(), torch.randn(2, 6, 3, 3, requires_grad=True)


def run(head, features):
    return head(features).logsumexp(-1).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
