# expect: error
# source: https://github.com/pytorch/examples/pull/779
# report: the word language model's manual SGD step `p.add_(-lr, p.grad)` raised "a leaf Variable that requires grad is being used in an in-place operation"
# shape: loop variable over model.parameters(): leaf update with add_ outside torch.no_grad()
import torch
import torch.nn as nn


class RNNModel(nn.Module):
    def __init__(self, ntoken, nhid):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, nhid)
        self.rnn = nn.GRU(nhid, nhid)
        self.decoder = nn.Linear(nhid, ntoken)

    def forward(self, tokens):
        output, _ = self.rnn(self.encoder(tokens))
        return self.decoder(output)


def make_inputs():
    torch.manual_seed(0)
    return RNNModel(6, 4), torch.randint(0, 6, (3, 2)), torch.randint(0, 6, (3, 2))


def train_step(model, data, targets, lr):
    output = model(data)
    loss = nn.functional.cross_entropy(output.view(-1, 6), targets.view(-1))
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.add_(p.grad, alpha=-lr)  # <- error
    return loss


def run(model, data, targets):
    train_step(model, data, targets, lr=0.5)
    return nn.functional.cross_entropy(model(data).view(-1, 6), targets.view(-1))


def reference(model, data, targets):
    loss = nn.functional.cross_entropy(model(data).view(-1, 6), targets.view(-1))
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(p.grad, alpha=-0.5)
    return nn.functional.cross_entropy(model(data).view(-1, 6), targets.view(-1))


if __name__ == "__main__":
    run(*make_inputs()).backward()
