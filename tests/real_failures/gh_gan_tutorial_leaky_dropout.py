# expect: error
# source: https://github.com/dreamgonfly/GAN-tutorial/issues/1
# report: D_loss.backward() raised the in-place error; the answer was to remove inplace=True from the LeakyReLU and Dropout layers of the Generator and Discriminator
# shape: __init__: Dropout(inplace=True) right after LeakyReLU(inplace=True), which saved its output
import torch
import torch.nn as nn


class Discriminator(nn.Module):
    def __init__(self, in_features, hidden):
        super().__init__()
        self.model = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Dropout(0.3, inplace=True),  # <- error
            nn.Linear(hidden, 1),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.model(x.view(x.size(0), -1))


def make_inputs():
    torch.manual_seed(0)
    return Discriminator(16, 8), torch.rand(4, 1, 4, 4), torch.ones(4, 1)


def run(discriminator, images, labels):
    return nn.functional.binary_cross_entropy(discriminator(images), labels)


def reference(discriminator, images, labels):
    layers = discriminator.model
    h = nn.functional.leaky_relu(layers[0](images.view(images.size(0), -1)), 0.2)
    h = nn.functional.dropout(h, 0.3, training=True)
    return nn.functional.binary_cross_entropy(torch.sigmoid(layers[3](h)), labels)


if __name__ == "__main__":
    run(*make_inputs()).backward()
