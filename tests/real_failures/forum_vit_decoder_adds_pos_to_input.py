# expect: error
# source: https://github.com/thuanz123/enhancing-transformers/issues/11
# report: the ViT decoder added its position embedding onto the incoming tokens with +=; running two decoders on the same quantized tokens failed on backward, since the first decoder's LayerNorm had saved them
# shape: forward: += on a forward argument (attribute addend) that another module saved
import torch
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self, tokens=4, dim=6):
        super().__init__()
        self.de_pos_embedding = nn.Parameter(torch.randn(1, tokens, dim), requires_grad=False)
        self.norm_in = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, dim), nn.Tanh())
        self.to_pixel = nn.Linear(dim, 3)

    def forward(self, token):
        token += self.de_pos_embedding  # <- error
        x = self.mlp(self.norm_in(token)) + token
        return self.to_pixel(x)


def make_inputs():
    torch.manual_seed(0)
    return nn.Linear(5, 6), Decoder(), Decoder(), torch.randn(2, 4, 5)


def run(quantizer, decoder_a, decoder_b, features):
    quant = quantizer(features)
    rec_a = decoder_a(quant)
    rec_b = decoder_b(quant)
    return rec_a.pow(2).mean() + rec_b.pow(2).mean()


def reference(quantizer, decoder_a, decoder_b, features):
    quant = quantizer(features)
    outs = []
    for dec in (decoder_a, decoder_b):
        token = quant + dec.de_pos_embedding
        quant = token
        outs.append(dec.to_pixel(dec.mlp(dec.norm_in(token)) + token))
    return outs[0].pow(2).mean() + outs[1].pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
