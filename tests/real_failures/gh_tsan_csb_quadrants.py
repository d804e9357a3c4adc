# expect: error
# source: https://github.com/Jee-King/TSAN/issues/3
# report: training TSAN raised the in-place error; the fix was `out = x.clone()` instead of `out = x` in the block that writes its quadrants back
# shape: forward: `out = x` alias, then index assignment out[..] = ... in a loop, overwriting the parameter x that a conv had saved
import torch
import torch.nn as nn
import torch.nn.functional as F


class CSB(nn.Module):
    def __init__(self, n_feats):
        super().__init__()
        self.conv1 = nn.Conv2d(n_feats * 4, n_feats * 4, kernel_size=1, bias=False)

    def forward(self, x):
        h, w = x.size(2) // 2, x.size(3) // 2
        quadrants = [(slice(0, h), slice(0, w)), (slice(h, None), slice(0, w)),
                     (slice(0, h), slice(w, None)), (slice(h, None), slice(w, None))]
        f_all = self.conv1(torch.cat([x[:, :, rows, cols] for rows, cols in quadrants], 1))
        c = x.size(1)
        out = x
        for k, (rows, cols) in enumerate(quadrants):
            out[:, :, rows, cols] = f_all[:, k * c:(k + 1) * c]  # <- error
        return out


class MCAB(nn.Module):
    def __init__(self, n_feats):
        super().__init__()
        self.drb = nn.Conv2d(n_feats, n_feats, 3, padding=1)
        self.csb = CSB(n_feats)
        self.conv3 = nn.Conv2d(n_feats, n_feats, 3, padding=1, bias=False)

    def forward(self, x):
        down_b = self.drb(x)
        top_b = self.csb(x)
        top_b = torch.sigmoid(self.conv3(top_b))
        return down_b * top_b


def make_inputs():
    torch.manual_seed(0)
    return nn.Conv2d(3, 2, 1), MCAB(2), torch.randn(1, 3, 4, 4)


def run(first_conv, block, img):
    return block(F.relu(first_conv(img))).pow(2).mean()


def reference(first_conv, block, img):
    x = F.relu(first_conv(img))
    down_b = block.drb(x)
    h, w = x.size(2) // 2, x.size(3) // 2
    parts = [x[:, :, :h, :w], x[:, :, h:, :w], x[:, :, :h, w:], x[:, :, h:, w:]]
    f = block.csb.conv1(torch.cat(parts, 1)).chunk(4, 1)
    top = torch.cat([torch.cat([f[0], f[2]], 3), torch.cat([f[1], f[3]], 3)], 2)
    return (down_b * torch.sigmoid(block.conv3(top))).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
