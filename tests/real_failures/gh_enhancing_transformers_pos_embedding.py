# expect: error
# source: https://github.com/thuanz123/enhancing-transformers/issues/11
# report: ViTDecoder.forward did `token += self.de_pos_embedding` on its input; decoding the same quantized tokens with two decoders made backward fail because the first decoder's saved input was overwritten
# shape: forward: parameter token += learned position embedding; the caller's tensor was saved by the other decoder's LayerNorm
import torch
import torch.nn as nn


class PreNormMLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, dim * 2)
        self.fc2 = nn.Linear(dim * 2, dim)

    def forward(self, x):
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.norm(x))))


class ViTDecoder(nn.Module):
    def __init__(self, num_tokens, dim, out_dim):
        super().__init__()
        self.de_pos_embedding = nn.Parameter(torch.zeros(1, num_tokens, dim))
        self.transformer = PreNormMLP(dim)
        self.to_pixel = nn.Linear(dim, out_dim)

    def forward(self, token):
        token += self.de_pos_embedding  # <- error
        x = self.transformer(token)
        return self.to_pixel(x)


def make_inputs():
    torch.manual_seed(0)
    return nn.Linear(5, 4), ViTDecoder(3, 4, 5), ViTDecoder(3, 4, 5), torch.randn(2, 3, 5)


def run(quantizer, decoder_a, decoder_b, patches):
    quant = quantizer(patches)
    rec_a = decoder_a(quant)
    rec_b = decoder_b(quant)
    return (rec_a - patches).pow(2).mean() + (rec_b - patches).pow(2).mean()


def reference(quantizer, decoder_a, decoder_b, patches):
    quant = quantizer(patches)
    rec_a = decoder_a.to_pixel(decoder_a.transformer(quant + decoder_a.de_pos_embedding))
    rec_b = decoder_b.to_pixel(decoder_b.transformer(quant + decoder_b.de_pos_embedding))
    return (rec_a - patches).pow(2).mean() + (rec_b - patches).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
