# expect: error
# source: https://github.com/thuanz123/enhancing-transformers/issues/11
# report: ViTDecoder.forward (in the repo's layers.py) added its position embedding to the incoming tokens in place; decoding the same quantized tokens with two decoders made backward fail
# shape: imported decoder's forward: parameter token += pos embedding; the caller passes one quantized tensor to two decoders, whose LayerNorm saved it
import torch
import torch.nn as nn
import torch.nn.functional as F

from layers import ViTDecoder, ViTEncoder


class TwoViewVQ(nn.Module):
    def __init__(self, num_patches=4, patch_dim=6, dim=8, codebook_size=5):
        super().__init__()
        self.encoder = ViTEncoder(num_patches, patch_dim, dim, depth=1)
        self.pre_quant = nn.Linear(dim, dim)
        self.codebook = nn.Embedding(codebook_size, dim)
        self.decoder_a = ViTDecoder(num_patches, patch_dim, dim, depth=1)
        self.decoder_b = ViTDecoder(num_patches, patch_dim, dim, depth=1)

    def quantize(self, z):
        distances = torch.cdist(z, self.codebook.weight.unsqueeze(0))
        codes = self.codebook(distances.argmin(-1))
        return z + (codes - z).detach()

    def forward(self, patches):
        quant = self.quantize(self.pre_quant(self.encoder(patches)))
        return self.decoder_a(quant), self.decoder_b(quant)


def make_inputs():
    torch.manual_seed(0)
    return TwoViewVQ(), torch.randn(2, 4, 6), torch.randn(2, 4, 6)


def run(model, view_a, view_b):
    rec_a, rec_b = model(view_a)
    return F.mse_loss(rec_a, view_a) + F.mse_loss(rec_b, view_b)


def decode(decoder, quant):
    return decoder.to_pixel(decoder.transformer(quant + decoder.de_pos_embedding))


def reference(model, view_a, view_b):
    quant = model.quantize(model.pre_quant(model.encoder(view_a)))
    return F.mse_loss(decode(model.decoder_a, quant), view_a) + F.mse_loss(decode(model.decoder_b, quant), view_b)


if __name__ == "__main__":
    run(*make_inputs()).backward()
