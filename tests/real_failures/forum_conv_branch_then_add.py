# expect: error
# source: https://discuss.pytorch.org/t/when-would-the-error-one-of-the-variables-needed-for-gradient-computation-has-been-modified-occur/11976/2
# report: after forking the main branch into a side conv, adding a layer output onto the main branch with x += raised the in-place error; x = x + ... worked
# shape: forward: x += after a second conv read (and saved) x
import torch
import torch.nn as nn


class ForkedBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.conv1_p = nn.Conv2d(4, 4, 1)
        self.shortcut = nn.Conv2d(3, 4, 1)

    def forward(self, inputs):
        x = self.conv1(inputs)
        x_p = self.conv1_p(x)
        x += self.shortcut(inputs)  # <- error
        return x, x_p


def make_inputs():
    torch.manual_seed(0)
    return ForkedBlock(), torch.randn(2, 3, 5, 5)


def run(block, inputs):
    x, x_p = block(inputs)
    return x.pow(2).mean() + x_p.pow(2).mean()


def reference(block, inputs):
    x = block.conv1(inputs)
    x_p = block.conv1_p(x)
    x = x + block.shortcut(inputs)
    return x.pow(2).mean() + x_p.pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
