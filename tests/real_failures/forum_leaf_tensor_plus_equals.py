# expect: error
# source: https://discuss.pytorch.org/t/inplace-operation-changes-is-leaf-attribute/120297
# report: c += 1, c.add_(1) and c.index_copy_ on a tensor created with requires_grad=True all raised the leaf in-place error, while c[:] += 1 silently worked
# shape: function: += on a leaf tensor that requires grad
import torch


def shifted_energy(c):
    c += 1  # <- error
    return (c * c).sum()


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(4, 3, 2, 5, requires_grad=True),)


def run(c):
    return shifted_energy(c)


def reference(c):
    shifted = c + 1
    return (shifted * shifted).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
