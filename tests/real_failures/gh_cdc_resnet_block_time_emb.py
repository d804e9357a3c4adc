# expect: error
# source: https://github.com/buggyyang/CDC_compression/issues/1
# report: training the diffusion compression model on a newer torch failed in backward; the fix was replacing `h += ...` with `h = h + ...` in the network components
# shape: forward: h += time embedding onto the output of a project Block (Conv, LayerNorm, ReLU) whose ReLU saved it
import torch
import torch.nn as nn


class LayerNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.g = nn.Parameter(torch.ones(1, dim, 1, 1))
        self.b = nn.Parameter(torch.zeros(1, dim, 1, 1))

    def forward(self, x):
        var = torch.var(x, dim=1, unbiased=False, keepdim=True)
        mean = torch.mean(x, dim=1, keepdim=True)
        return (x - mean) / (var + self.eps).sqrt() * self.g + self.b


class Block(nn.Module):
    def __init__(self, dim, dim_out):
        super().__init__()
        self.block = nn.Sequential(nn.Conv2d(dim, dim_out, 3, padding=1), LayerNorm(dim_out), nn.ReLU())

    def forward(self, x):
        return self.block(x)


class ResnetBlock(nn.Module):
    def __init__(self, dim, dim_out, time_emb_dim):
        super().__init__()
        self.mlp = nn.Sequential(nn.LeakyReLU(0.2), nn.Linear(time_emb_dim, dim_out))
        self.block1 = Block(dim, dim_out)
        self.block2 = Block(dim_out, dim_out)
        self.res_conv = nn.Conv2d(dim, dim_out, 1)

    def forward(self, x, time_emb=None):
        h = self.block1(x)
        if time_emb is not None:
            h += self.mlp(time_emb)[:, :, None, None]  # <- error
        h = self.block2(h)
        return h + self.res_conv(x)


def make_inputs():
    torch.manual_seed(0)
    return ResnetBlock(3, 4, 5), torch.randn(2, 3, 6, 6), torch.randn(2, 5)


def run(block, x, t_emb):
    return block(x, t_emb).pow(2).mean()


def reference(block, x, t_emb):
    h = block.block1(x) + block.mlp(t_emb)[:, :, None, None]
    h = block.block2(h)
    return (h + block.res_conv(x)).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
