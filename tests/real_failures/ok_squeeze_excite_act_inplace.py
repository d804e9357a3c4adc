# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/layers/squeeze_excite.py
# report: SEModule squeezes with a mean, runs fc1 (a 1x1 conv), an optional norm and an activation created with inplace=True, then fc2 and a sigmoid gate
# shape: ReLU(inplace=True) after a 1x1 conv in a squeeze-excite block
import torch
import torch.nn as nn


class SEModule(nn.Module):
    def __init__(self, channels=8, rd_channels=4, act_layer=nn.ReLU):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, rd_channels, kernel_size=1)
        self.bn = nn.Identity()
        self.act = act_layer(inplace=True)
        self.fc2 = nn.Conv2d(rd_channels, channels, kernel_size=1)
        self.gate = nn.Sigmoid()

    def forward(self, x):
        x_se = x.mean((2, 3), keepdim=True)
        x_se = self.fc1(x_se)
        x_se = self.act(self.bn(x_se))
        x_se = self.fc2(x_se)
        return x * self.gate(x_se)


def make_inputs():
    torch.manual_seed(0)
    return SEModule(), torch.randn(2, 8, 4, 4, requires_grad=True)


def run(se, x):
    return se(x).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
