# expect: error
# source: https://github.com/KevinMusgrave/powerful-benchmarker/issues/78
# report: training with an extra classifier on the embeddings failed with the in-place error; the MLP builder starts each block with nn.ReLU(inplace=True), which overwrote embeddings the metric loss had already used; inplace=False fixed it
# shape: nn.ReLU(inplace=True) first in an nn.Sequential, applied to a value a loss (normalize) saved
import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, layer_sizes, final_relu=False):
        super().__init__()
        layers = []
        last = len(layer_sizes) - 1 if final_relu else len(layer_sizes) - 2
        for i in range(len(layer_sizes) - 1):
            if i < last:
                layers.append(nn.ReLU(inplace=True))  # <- error
            layers.append(nn.Linear(layer_sizes[i], layer_sizes[i + 1]))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def make_inputs():
    torch.manual_seed(0)
    return nn.Linear(8, 6), MLP([6, 5]), MLP([5, 3, 3]), torch.randn(4, 8), torch.tensor([0, 1, 2, 1])


def run(trunk, embedder, classifier, x, labels):
    embeddings = embedder(trunk(x))
    normed = F.normalize(embeddings, dim=1)
    metric_loss = (normed @ normed.t()).pow(2).mean()
    logits = classifier(embeddings)
    return metric_loss + F.cross_entropy(logits, labels)


def reference(trunk, embedder, classifier, x, labels):
    embeddings = embedder.net[0](trunk(x))
    normed = F.normalize(embeddings, dim=1)
    metric_loss = (normed @ normed.t()).pow(2).mean()
    logits = classifier.net[2](classifier.net[1](F.relu(embeddings)))
    return metric_loss + F.cross_entropy(logits, labels)


if __name__ == "__main__":
    run(*make_inputs()).backward()
