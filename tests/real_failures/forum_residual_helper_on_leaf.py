# expect: error
# source: https://discuss.pytorch.org/t/understanding-autograd-relu-inplace-true/89031
# report: a ResNet-like helper added the residuals onto x with += and applied the activation in place; on a tensor that requires grad it raised the leaf in-place error, worked around with clone()
# shape: helper function: x += r in a loop over residuals, x is a leaf that requires grad
import torch
import torch.nn.functional as F


def residual_activation(x, residuals, activation, inplace):
    for r in residuals:
        x += r  # <- error
    return activation(x, inplace=inplace)


def make_inputs():
    torch.manual_seed(0)
    x = torch.randn(3, 4, requires_grad=True)
    residuals = [torch.randn(3, 4), torch.randn(3, 4)]
    return x, residuals


def run(x, residuals):
    return residual_activation(x, residuals, F.relu, inplace=True).sum()


def reference(x, residuals):
    for r in residuals:
        x = x + r
    return F.relu(x).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
