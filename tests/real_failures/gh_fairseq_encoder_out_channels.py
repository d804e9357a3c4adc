# expect: error
# source: https://github.com/facebookresearch/fairseq/issues/251
# report: changing the encoder output at decode time with `encoder_out[0][:, :, j] = do_something(encoder_out[0][:, :, j])` raised the in-place error; the maintainer said to copy it instead
# shape: loop: index assignment of a channel of the encoder output from an op that saved that channel
import torch
import torch.nn as nn


class ConvEncoder(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.fc2 = nn.Linear(dim, dim)

    def forward(self, tokens):
        emb = self.embed(tokens)
        x = self.fc2(torch.tanh(emb))
        return x, (x + emb) * 0.5 ** 0.5


class ChannelScaler(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.scale = nn.Parameter(torch.linspace(0.5, 1.5, dim))

    def forward(self, encoder_out):
        for j in range(encoder_out[0].size(2)):
            encoder_out[0][:, :, j] = encoder_out[0][:, :, j] * self.scale[j]  # <- error
        return encoder_out


def make_inputs():
    torch.manual_seed(0)
    return ConvEncoder(7, 3), ChannelScaler(3), nn.Linear(3, 7), torch.randint(0, 7, (2, 4))


def run(encoder, scaler, out_proj, tokens):
    x, y = scaler(encoder(tokens))
    return out_proj(x + y).logsumexp(-1).mean()


def reference(encoder, scaler, out_proj, tokens):
    x, y = encoder(tokens)
    x = torch.stack([x[:, :, j] * scaler.scale[j] for j in range(x.size(2))], dim=2)
    return out_proj(x + y).logsumexp(-1).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
