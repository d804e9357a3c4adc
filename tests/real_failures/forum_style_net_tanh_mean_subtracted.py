# expect: error
# source: https://github.com/abhiskk/fast-neural-style/issues/12
# report: adding nn.Tanh() as the last layer of the style transformer made loss.backward() fail; the training loop then passed the output to a helper that subtracts the ImageNet mean in place
# shape: helper function: -= on its argument, which is the output of nn.Tanh (Tanh saved it)
import torch
import torch.nn as nn


class TransformerNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 3, 3, padding=1))
        self.out = nn.Tanh()

    def forward(self, x):
        return self.out(self.body(x))


def subtract_imagenet_mean_batch(batch):
    mean = torch.zeros_like(batch)
    mean[:, 0, :, :] = 0.40
    mean[:, 1, :, :] = 0.45
    mean[:, 2, :, :] = 0.48
    batch -= mean  # <- error


def make_inputs():
    torch.manual_seed(0)
    return TransformerNet(), nn.Conv2d(3, 2, 3), torch.rand(2, 3, 6, 6)


def run(transformer, features, x):
    y = transformer(x)
    subtract_imagenet_mean_batch(y)
    return (features(y) - features(x)).pow(2).mean()


def reference(transformer, features, x):
    y = transformer(x)
    mean = torch.tensor([0.40, 0.45, 0.48]).view(1, 3, 1, 1)
    y = y - mean
    return (features(y) - features(x)).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
