# expect: error
# source: https://github.com/orion-orion/FedDCSR/issues/3
# report: the self-attention sequence encoder zeroed padded positions with seqs *= ~timeline_mask.unsqueeze(-1) and backward failed in NativeLayerNormBackward0 (the attention LayerNorm had saved seqs); seqs = seqs * mask fixed it; here the same embeddings go through the encoder twice
# shape: forward: *= on a forward argument that a LayerNorm in an earlier call saved
import torch
import torch.nn as nn


class SelfAttentionEncoder(nn.Module):
    def __init__(self, num_items=9, hidden=8, heads=2):
        super().__init__()
        self.num_items = num_items
        self.attention_layernorm = nn.LayerNorm(hidden, eps=1e-8)
        self.attention_layer = nn.MultiheadAttention(hidden, heads, dropout=0.0)
        self.last_layernorm = nn.LayerNorm(hidden, eps=1e-8)

    def forward(self, seqs, item_ids):
        timeline_mask = item_ids == self.num_items
        seqs *= ~timeline_mask.unsqueeze(-1)  # <- error
        seqs = torch.transpose(seqs, 0, 1)
        q = self.attention_layernorm(seqs)
        mha_outputs, _ = self.attention_layer(q, seqs, seqs)
        seqs = torch.transpose(q + mha_outputs, 0, 1)
        seqs = seqs * ~timeline_mask.unsqueeze(-1)
        return self.last_layernorm(seqs)


def make_inputs():
    torch.manual_seed(0)
    item_ids = torch.tensor([[1, 4, 9, 9], [2, 3, 5, 9]])
    return nn.Embedding(10, 8), SelfAttentionEncoder(), item_ids


def run(embedding, encoder, item_ids):
    seqs = embedding(item_ids) * 2.0
    first_view = encoder(seqs, item_ids)
    second_view = encoder(seqs, item_ids)
    return (first_view * second_view).sum()


def reference(embedding, encoder, item_ids):
    seqs = embedding(item_ids) * 2.0
    keep = ~(item_ids == encoder.num_items).unsqueeze(-1)
    views = []
    for _ in range(2):
        x = torch.transpose(seqs * keep, 0, 1)
        q = encoder.attention_layernorm(x)
        views.append(encoder.last_layernorm(torch.transpose(q + encoder.attention_layer(q, x, x)[0], 0, 1) * keep))
    return (views[0] * views[1]).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
