# expect: error
# source: https://github.com/Atcold/NYU-DLSP20/issues/765
# report: building the transformer classifier failed at `E[:, 0::2] = torch.FloatTensor(np.sin(theta[:, 0::2]))` with "a view of a leaf Variable that requires grad is being used in an in-place operation"
# shape: helper called from __init__ writes strided slices of an nn.Embedding weight (a leaf) outside torch.no_grad()
import torch
import torch.nn as nn


def create_sinusoidal_embeddings(nb_p, dim, E):
    positions = torch.arange(nb_p, dtype=torch.float32).unsqueeze(1)
    rates = torch.pow(10000.0, -2 * (torch.arange(dim) // 2).float() / dim)
    theta = positions * rates
    E[:, 0::2] = torch.sin(theta[:, 0::2])  # <- error
    E[:, 1::2] = torch.cos(theta[:, 1::2])  # <- error
    E.detach_()
    E.requires_grad = False


class Embeddings(nn.Module):
    def __init__(self, d_model, vocab_size, max_position_embeddings):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, d_model, padding_idx=1)
        self.position_embeddings = nn.Embedding(max_position_embeddings, d_model)
        create_sinusoidal_embeddings(max_position_embeddings, d_model, self.position_embeddings.weight)
        self.layer_norm = nn.LayerNorm(d_model, eps=1e-12)

    def forward(self, input_ids):
        positions = torch.arange(input_ids.size(1)).unsqueeze(0).expand_as(input_ids)
        return self.layer_norm(self.word_embeddings(input_ids) + self.position_embeddings(positions))


def make_inputs():
    torch.manual_seed(0)
    return (torch.tensor([[2, 5, 3], [4, 1, 1]]),)


def run(input_ids):
    torch.manual_seed(1)
    return Embeddings(4, 6, 5)(input_ids).pow(2).mean()


def reference(input_ids):
    torch.manual_seed(1)
    with torch.no_grad():
        model = Embeddings(4, 6, 5)
    return model(input_ids).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
