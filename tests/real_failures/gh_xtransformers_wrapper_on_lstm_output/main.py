# expect: error
# source: https://github.com/lucidrains/x-transformers/pull/55
# report: a ContinuousTransformerWrapper stacked on an LSTM failed in backward ("output 0 of CudnnRnnBackward is at version 1"): the wrapper's forward added the position embedding to its input with +=, and its input was the LSTM output the RNN had saved
# shape: imported wrapper's forward: parameter x += position embedding (project_in is Identity); the caller passes an LSTM output, saved by the RNN
import torch
import torch.nn as nn

from transformer import ContinuousTransformerWrapper, Encoder


class Model(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.rnn = nn.LSTM(input_size=dim, hidden_size=dim, num_layers=1, batch_first=True)
        self.transformer = ContinuousTransformerWrapper(
            max_seq_len=32, attn_layers=Encoder(dim=dim, depth=1, heads=2), dim=dim)

    def forward(self, x):
        x, _ = self.rnn(x)
        return self.transformer(x)


def make_inputs():
    torch.manual_seed(0)
    return Model(), torch.randn(2, 6, 16)


def run(model, x):
    return model(x).pow(2).mean()


def reference(model, x):
    hidden, _ = model.rnn(x)
    wrapper = model.transformer
    hidden = wrapper.project_in(hidden)
    hidden = hidden + wrapper.pos_emb(hidden)
    return wrapper.project_out(wrapper.attn_layers(wrapper.emb_dropout(hidden))).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
