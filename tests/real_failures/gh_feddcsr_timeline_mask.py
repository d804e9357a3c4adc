# expect: error
# source: https://github.com/orion-orion/FedDCSR/issues/3
# report: the sequential recommender's SelfAttention masked padding with `seqs *= ~timeline_mask.unsqueeze(-1)`; backward failed in NativeLayerNormBackward0 at the attention LayerNorm
# shape: forward: parameter seqs *= mask, seqs shared by two encoders whose LayerNorm saved it
import torch
import torch.nn as nn


class SelfAttention(nn.Module):
    def __init__(self, dim, num_blocks=2, heads=1):
        super().__init__()
        self.attention_layernorms = nn.ModuleList([nn.LayerNorm(dim) for _ in range(num_blocks)])
        self.attention_layers = nn.ModuleList(
            [nn.MultiheadAttention(dim, heads, batch_first=True) for _ in range(num_blocks)])
        self.forward_layernorms = nn.ModuleList([nn.LayerNorm(dim) for _ in range(num_blocks)])
        self.forward_layers = nn.ModuleList([nn.Linear(dim, dim) for _ in range(num_blocks)])
        self.last_layernorm = nn.LayerNorm(dim)

    def forward(self, seqs, timeline_mask):
        seqs *= ~timeline_mask.unsqueeze(-1)  # <- error
        for i in range(len(self.attention_layers)):
            q = self.attention_layernorms[i](seqs)
            mha_out, _ = self.attention_layers[i](q, seqs, seqs, need_weights=False)
            seqs = q + mha_out
            seqs = self.forward_layernorms[i](seqs)
            seqs = self.forward_layers[i](seqs)
            seqs *= ~timeline_mask.unsqueeze(-1)
        return self.last_layernorm(seqs)


class Model(nn.Module):
    def __init__(self, items, dim):
        super().__init__()
        self.item_emb = nn.Embedding(items, dim)
        self.shared_encoder = SelfAttention(dim)
        self.exclusive_encoder = SelfAttention(dim)

    def forward(self, item_ids):
        seqs = self.item_emb(item_ids)
        mask = item_ids == 0
        return self.shared_encoder(seqs, mask) + self.exclusive_encoder(seqs, mask)


def make_inputs():
    torch.manual_seed(0)
    return Model(10, 8), torch.tensor([[0, 3, 4, 5], [0, 0, 7, 2]])


def run(model, item_ids):
    return model(item_ids).pow(2).mean()


def reference(model, item_ids):
    keep = ~(item_ids == 0).unsqueeze(-1)
    seqs = model.item_emb(item_ids)
    total = 0
    for enc in (model.shared_encoder, model.exclusive_encoder):
        x = seqs * keep
        for i in range(len(enc.attention_layers)):
            q = enc.attention_layernorms[i](x)
            x = q + enc.attention_layers[i](q, x, x, need_weights=False)[0]
            x = enc.forward_layers[i](enc.forward_layernorms[i](x)) * keep
        total = total + enc.last_layernorm(x)
    return total.pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
