# expect: error
# source: https://github.com/pytorch/pytorch/issues/148835
# report: an Inductor bug report turned out to fail in eager too: calling F.relu_ on the result of F.relu mutates the tensor relu saved for backward
# shape: forward: torch.nn.functional.relu_(x) on the output of F.relu
import torch
import torch.nn as nn


class SimpleModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(10, 10)

    def forward(self, x):
        x = self.linear(x)
        x = nn.functional.relu(x)
        x = nn.functional.relu_(x)  # <- error
        return x


def make_inputs():
    torch.manual_seed(0)
    return SimpleModel(), torch.randn(1, 10)


def run(model, inputs):
    return model(inputs).sum()


def reference(model, inputs):
    return nn.functional.relu(nn.functional.relu(model.linear(inputs))).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
