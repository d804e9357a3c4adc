# expect: error
# source: https://github.com/pytorch/vision/issues/7174
# report: torchvision.ops.MLP defaults to inplace=True, so with dropout > 0 backward fails on ReluBackward0's output; the same flag reaches the activation and the Dropout
# shape: __init__: Dropout(inplace=...) right after ReLU(inplace=...) in a Sequential, the flag passed through a dict
import torch
import torch.nn as nn


class MLP(nn.Sequential):
    def __init__(self, in_channels, hidden_channels, activation_layer=nn.ReLU, inplace=True, dropout=0.0):
        params = {} if inplace is None else {"inplace": inplace}
        layers = []
        in_dim = in_channels
        for hidden_dim in hidden_channels[:-1]:
            layers.append(nn.Linear(in_dim, hidden_dim))
            layers.append(activation_layer(**params))
            layers.append(nn.Dropout(dropout, **params))  # <- error
            in_dim = hidden_dim
        layers.append(nn.Linear(in_dim, hidden_channels[-1]))
        layers.append(nn.Dropout(dropout, **params))
        super().__init__(*layers)


def make_inputs():
    torch.manual_seed(0)
    return MLP(3, [3, 3], dropout=0.5), torch.rand(4, 3)


def run(mlp, x):
    return mlp(x).sum()


def reference(mlp, x):
    h = torch.relu(mlp[0](x))
    h = nn.functional.dropout(h, 0.5, training=True)
    return nn.functional.dropout(mlp[3](h), 0.5, training=True).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
