# expect: error
# source: https://github.com/adambielski/siamese-triplet/issues/51
# report: switching to the L2-normalized embedding net gave "output 0 of AddmmBackward is at version 1"; its forward divides the fc output in place by a norm computed from that same output
# shape: forward: x /= x.pow(2).sum(...).sqrt() (pow saved x)
import torch
import torch.nn as nn


class EmbeddingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.convnet = nn.Sequential(nn.Conv2d(1, 4, 3), nn.PReLU(), nn.MaxPool2d(2))
        self.fc = nn.Sequential(nn.Linear(4 * 3 * 3, 8), nn.PReLU(), nn.Linear(8, 2))

    def forward(self, x):
        output = self.convnet(x)
        return self.fc(output.view(output.size(0), -1))


class EmbeddingNetL2(EmbeddingNet):
    def forward(self, x):
        output = super().forward(x)
        output /= output.pow(2).sum(1, keepdim=True).sqrt()  # <- error
        return output


def make_inputs():
    torch.manual_seed(0)
    return EmbeddingNetL2(), torch.randn(4, 1, 8, 8), torch.randn(4, 1, 8, 8)


def run(net, anchors, positives):
    return (net(anchors) - net(positives)).pow(2).sum(1).mean()


def reference(net, anchors, positives):
    def embed(x):
        output = EmbeddingNet.forward(net, x)
        return output / output.pow(2).sum(1, keepdim=True).sqrt()

    return (embed(anchors) - embed(positives)).pow(2).sum(1).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
