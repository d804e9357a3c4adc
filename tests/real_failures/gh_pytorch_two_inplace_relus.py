# expect: error
# source: https://github.com/pytorch/pytorch/issues/34429
# report: two successive nn.ReLU(inplace=True) after a BatchNorm made backward fail, although in-place ReLU followed by += is supported
# shape: nn.ReLU(inplace=True) applied to the output of another in-place ReLU (which saved it)
import torch
import torch.nn as nn


class Stem(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, kernel_size=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.relu1 = nn.ReLU(inplace=True)
        self.relu2 = nn.ReLU(inplace=True)  # <- error

    def forward(self, x):
        x = self.conv1(x)
        x = self.bn(x)
        x = self.relu1(x)
        x = self.relu2(x)
        return x.flatten()


def make_inputs():
    torch.manual_seed(0)
    return Stem(), torch.randn(2, 3, 4, 4)


def run(stem, images):
    return torch.sum(stem(images))


def reference(stem, images):
    x = torch.relu(stem.bn(stem.conv1(images)))
    return torch.sum(torch.relu(x).flatten())


if __name__ == "__main__":
    run(*make_inputs()).backward()
