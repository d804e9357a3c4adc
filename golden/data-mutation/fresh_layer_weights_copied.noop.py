# outplace-golden: no-findings
import torch
import torch.nn as nn


def grow_embeddings(old, new_size):
    new = nn.Embedding(new_size, old.embedding_dim)
    n = min(old.num_embeddings, new_size)
    new.weight.data[:n, :] = old.weight.data[:n, :]
    return new


def make_inputs():
    torch.manual_seed(0)
    return (torch.tensor([[0, 4, 2]]),)


def run(ids):
    torch.manual_seed(1)
    grown = grow_embeddings(nn.Embedding(3, 2), 5)
    return grown(ids).pow(2).sum()
