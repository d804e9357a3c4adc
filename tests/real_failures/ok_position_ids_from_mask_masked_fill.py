# expect: clean
# source: https://github.com/huggingface/transformers/blob/main/src/transformers/models/qwen2_5_omni/modeling_qwen2_5_omni.py
# report: without rope deltas, the position ids come from attention_mask.long().cumsum(-1) - 1 and padded positions are set with position_ids.masked_fill_(attention_mask == 0, 1)
# shape: masked_fill_ on an integer tensor derived from the attention mask
import torch
import torch.nn as nn


def get_position_ids(attention_mask):
    position_ids = attention_mask.long().cumsum(-1) - 1
    position_ids.masked_fill_(attention_mask == 0, 1)
    return position_ids


class PositionalEncoder(nn.Module):
    def __init__(self, vocab=9, max_positions=8, dim=6):
        super().__init__()
        self.tokens = nn.Embedding(vocab, dim)
        self.positions = nn.Embedding(max_positions, dim)
        self.norm = nn.LayerNorm(dim)

    def forward(self, input_ids, attention_mask):
        hidden = self.tokens(input_ids) + self.positions(get_position_ids(attention_mask))
        return self.norm(hidden)


def make_inputs():
    torch.manual_seed(0)
    input_ids = torch.tensor([[0, 0, 4, 5, 6], [1, 2, 3, 4, 5]])
    attention_mask = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    return PositionalEncoder(), input_ids, attention_mask


def run(model, input_ids, attention_mask):
    return (model(input_ids, attention_mask) * attention_mask.unsqueeze(-1)).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
