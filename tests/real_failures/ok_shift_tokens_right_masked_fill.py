# expect: clean
# source: https://github.com/huggingface/transformers/blob/main/src/transformers/models/prophetnet/modeling_prophetnet.py
# report: _shift_right builds the decoder inputs in a fresh integer tensor (new_zeros, slice assignments) and replaces -100 label padding with masked_fill_
# shape: slice assignment and masked_fill_ on an integer tensor built from new_zeros
import torch
import torch.nn as nn
import torch.nn.functional as F


def shift_right(input_ids, decoder_start_token_id=1, pad_token_id=0):
    shifted_input_ids = input_ids.new_zeros(input_ids.shape)
    shifted_input_ids[..., 1:] = input_ids[..., :-1].clone()
    shifted_input_ids[..., 0] = decoder_start_token_id
    shifted_input_ids.masked_fill_(shifted_input_ids == -100, pad_token_id)
    return shifted_input_ids


class TinyDecoder(nn.Module):
    def __init__(self, vocab=7, dim=5):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.out = nn.Linear(dim, vocab)

    def forward(self, labels):
        return self.out(torch.tanh(self.embed(shift_right(labels))))


def make_inputs():
    torch.manual_seed(0)
    return TinyDecoder(), torch.tensor([[3, 4, 5, -100], [2, 6, -100, -100]])


def run(model, labels):
    logits = model(labels)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)


if __name__ == "__main__":
    run(*make_inputs()).backward()
