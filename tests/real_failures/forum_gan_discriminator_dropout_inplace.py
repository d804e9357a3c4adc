# expect: error
# source: https://github.com/dreamgonfly/GAN-tutorial/issues/1
# report: D_loss.backward() in the GAN tutorial raised the in-place error; the discriminator stacked LeakyReLU(inplace=True) and Dropout(inplace=True), and removing inplace=True fixed it
# shape: GAN training step: nn.Dropout(inplace=True) right after nn.LeakyReLU(inplace=True) (which saved its output)
import torch
import torch.nn as nn


class Generator(nn.Module):
    def __init__(self, latent=4, pixels=16):
        super().__init__()
        self.main = nn.Sequential(nn.Linear(latent, 8), nn.LeakyReLU(0.2, inplace=True), nn.Linear(8, pixels), nn.Tanh())

    def forward(self, z):
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self, pixels=16):
        super().__init__()
        self.main = nn.Sequential(
            nn.Linear(pixels, 8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Dropout(inplace=True),  # <- error
            nn.Linear(8, 1),
            nn.Sigmoid(),
        )

    def forward(self, images):
        return self.main(images)


def make_inputs():
    torch.manual_seed(0)
    return Generator(), Discriminator(), torch.rand(6, 16) * 2 - 1, torch.randn(6, 4)


def run(G, D, real_data, z):
    criterion = nn.BCELoss()
    d_loss_real = criterion(D(real_data), torch.ones(6, 1))
    d_loss_fake = criterion(D(G(z)), torch.zeros(6, 1))
    return d_loss_real + d_loss_fake


def reference(G, D, real_data, z):
    criterion = nn.BCELoss()
    layers = D.main

    def discriminate(x):
        hidden = nn.functional.dropout(nn.functional.leaky_relu(layers[0](x), 0.2), training=True)
        return layers[4](layers[3](hidden))

    return criterion(discriminate(real_data), torch.ones(6, 1)) + criterion(discriminate(G(z)), torch.zeros(6, 1))


if __name__ == "__main__":
    run(*make_inputs()).backward()
