# expect: error
# source: https://github.com/PingoLH/FCHarDNet/issues/61
# report: folding BatchNorm into the preceding convolution with `cconv.weight[:,:,:,:] = W[:,:,:,:]` raised "a view of a leaf Variable that requires grad is being used in an in-place operation"
# shape: helper writes a slice of a conv weight Parameter (a leaf) outside torch.no_grad()
import torch
import torch.nn as nn


def fuse_bn(conv, bn):
    fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, padding=conv.padding, bias=True)
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    W = conv.weight * scale.view(-1, 1, 1, 1)
    fused.weight[:, :, :, :] = W[:, :, :, :]  # <- error
    fused.bias[:] = bn.bias - bn.running_mean * scale  # <- error
    return fused


def make_inputs():
    torch.manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, padding=1, bias=False)
    bn = nn.BatchNorm2d(3).eval()
    with torch.no_grad():
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 1.5)
    return conv, bn, torch.randn(1, 2, 5, 5)


def run(conv, bn, x):
    return fuse_bn(conv, bn)(x).pow(2).mean()


def reference(conv, bn, x):
    fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, padding=conv.padding, bias=True)
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    with torch.no_grad():
        fused.weight.copy_(conv.weight * scale.view(-1, 1, 1, 1))
        fused.bias.copy_(bn.bias - bn.running_mean * scale)
    return fused(x).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
