# expect: error
# source: https://github.com/Rose-STL-Lab/torchTS/issues/50
# report: the graph GRU cell with fully-connected reset/update gates raised the in-place error; its _fc helper added the biases in place onto a sigmoid output
# shape: helper method: += onto the result of torch.sigmoid (which saved its output)
import torch
import torch.nn as nn


class GatedCell(nn.Module):
    def __init__(self, input_dim=3, units=4):
        super().__init__()
        self.units = units
        self.ru_weights = nn.Parameter(torch.randn(input_dim + units, 2 * units) * 0.3)
        self.ru_biases = nn.Parameter(torch.ones(2 * units))
        self.c_weights = nn.Parameter(torch.randn(input_dim + units, units) * 0.3)

    def _fc(self, inputs, state):
        inputs_and_state = torch.cat([inputs, state], dim=-1)
        value = torch.sigmoid(torch.matmul(inputs_and_state, self.ru_weights))
        value += self.ru_biases  # <- error
        return value

    def forward(self, inputs, hx):
        value = torch.sigmoid(self._fc(inputs, hx))
        r, u = torch.split(value, self.units, dim=-1)
        c = torch.tanh(torch.cat([inputs, r * hx], dim=-1) @ self.c_weights)
        return u * hx + (1.0 - u) * c


def make_inputs():
    torch.manual_seed(0)
    return GatedCell(), torch.randn(5, 3), torch.randn(5, 4)


def run(cell, inputs, hx):
    return cell(inputs, hx).pow(2).sum()


def reference(cell, inputs, hx):
    gates = torch.sigmoid(torch.cat([inputs, hx], dim=-1) @ cell.ru_weights) + cell.ru_biases
    r, u = torch.split(torch.sigmoid(gates), cell.units, dim=-1)
    c = torch.tanh(torch.cat([inputs, r * hx], dim=-1) @ cell.c_weights)
    return (u * hx + (1.0 - u) * c).pow(2).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
