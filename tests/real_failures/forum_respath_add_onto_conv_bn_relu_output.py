# expect: error
# source: https://github.com/j-sripad/mulitresunet-pytorch/issues/3
# report: several += in MultiResUNet raise the in-place error on backward; writing a = a + b fixes them; in the residual path the += lands on the output of a conv-bn block whose forward ends in F.relu
# shape: forward: x = self.block(x) where the project block ends in F.relu, then x += shortcut
import torch
import torch.nn as nn
import torch.nn.functional as F


class Conv2dBatchnorm(nn.Module):
    def __init__(self, input_features, num_of_filters, kernel_size=1, activation="relu", padding=0):
        super().__init__()
        self.activation = activation
        self.conv1 = nn.Conv2d(input_features, num_of_filters, kernel_size, padding=padding)
        self.batchnorm = nn.BatchNorm2d(num_of_filters, affine=False)

    def forward(self, x):
        x = self.batchnorm(self.conv1(x))
        if self.activation == "relu":
            return F.relu(x)
        return x


class Respath(nn.Module):
    def __init__(self, input_features=3, filters=4):
        super().__init__()
        self.conv2d_bn_1x1 = Conv2dBatchnorm(input_features, filters, 1, activation="None")
        self.conv2d_bn_3x3 = Conv2dBatchnorm(input_features, filters, 3, activation="relu", padding=1)
        self.batch_norm1 = nn.BatchNorm2d(filters, affine=False)

    def forward(self, x):
        shortcut = self.conv2d_bn_1x1(x)
        x = self.conv2d_bn_3x3(x)
        x += shortcut  # <- error
        x = F.relu(x)
        return self.batch_norm1(x)


def make_inputs():
    torch.manual_seed(0)
    return Respath(), torch.randn(2, 3, 5, 5)


def run(path, x):
    return path(x).pow(2).mean()


def reference(path, x):
    shortcut = path.conv2d_bn_1x1(x)
    y = path.conv2d_bn_3x3(x) + shortcut
    return path.batch_norm1(F.relu(y)).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
