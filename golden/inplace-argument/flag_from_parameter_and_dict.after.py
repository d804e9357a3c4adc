# outplace-golden: before-fails
import torch
import torch.nn as nn


class MLP(nn.Sequential):
    def __init__(self, sizes, activation_layer=nn.ReLU, inplace=True, dropout=0.5):
        params = {} if inplace is None else {"inplace": inplace}
        layers = []
        for size_in, size_out in zip(sizes[:-2], sizes[1:-1]):
            layers.append(nn.Linear(size_in, size_out))
            layers.append(activation_layer(**params))  # after a Linear: correct, kept
            layers.append(nn.Dropout(dropout))  # writes the ReLU's output, which ReLU saved
        layers.append(nn.Linear(sizes[-2], sizes[-1]))
        layers.append(nn.Dropout(dropout, inplace=inplace))  # after a Linear: correct, kept
        super().__init__(*layers)


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(5, 3, requires_grad=True),)


def run(x):
    mlp = MLP([3, 4, 2])
    return mlp(x).pow(2).sum()


def reference(x):
    mlp = MLP([3, 4, 2])
    h = nn.functional.dropout(torch.relu(mlp[0](x)), 0.5, training=True)
    return nn.functional.dropout(mlp[3](h), 0.5, training=True).pow(2).sum()
