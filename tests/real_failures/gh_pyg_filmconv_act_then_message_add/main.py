# expect: error
# source: https://github.com/pyg-team/pytorch_geometric/issues/3621
# report: the FiLM example failed in backward ("output 0 of ReluBackward0 is at version 1"); anomaly detection pointed into FiLMConv, whose forward added the aggregated messages with += to the skip path it had just passed through ReLU
# shape: imported layer's forward: out = self.act(out) (ReLU given as a constructor default), then out += messages
import torch
import torch.nn as nn
import torch.nn.functional as F

from film_conv import FiLMConv


class Net(nn.Module):
    def __init__(self, in_channels, hidden_channels, out_channels, num_layers):
        super().__init__()
        self.convs = nn.ModuleList([FiLMConv(in_channels, hidden_channels)])
        for _ in range(num_layers - 2):
            self.convs.append(FiLMConv(hidden_channels, hidden_channels))
        self.convs.append(FiLMConv(hidden_channels, out_channels, act=None))
        self.norms = nn.ModuleList([nn.BatchNorm1d(hidden_channels) for _ in range(num_layers - 1)])

    def forward(self, x, edge_index):
        for conv, norm in zip(self.convs[:-1], self.norms):
            x = norm(conv(x, edge_index))
        return self.convs[-1](x, edge_index)


def make_inputs():
    torch.manual_seed(0)
    edge_index = torch.tensor([[0, 1, 1, 2, 3, 4, 5, 2], [1, 0, 2, 1, 4, 3, 2, 5]])
    labels = (torch.rand(6, 3) > 0.5).float()
    return Net(4, 8, 3, num_layers=3), torch.randn(6, 4), edge_index, labels


def run(model, x, edge_index, labels):
    return F.binary_cross_entropy_with_logits(model(x, edge_index), labels)


def film_out_of_place(conv, x, edge_index):
    beta, gamma = conv.film_skip(x).split(conv.out_channels, dim=-1)
    out = gamma * conv.lin_skip(x) + beta
    if conv.act is not None:
        out = conv.act(out)
    beta, gamma = conv.films[0](x).split(conv.out_channels, dim=-1)
    return out + conv.propagate(edge_index, conv.lins[0](x), beta, gamma)


def reference(model, x, edge_index, labels):
    for conv, norm in zip(model.convs[:-1], model.norms):
        x = norm(film_out_of_place(conv, x, edge_index))
    return F.binary_cross_entropy_with_logits(film_out_of_place(model.convs[-1], x, edge_index), labels)


if __name__ == "__main__":
    run(*make_inputs()).backward()
