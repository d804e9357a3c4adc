# expect: error
# source: https://github.com/facebookresearch/fairseq/issues/251
# report: changing the encoder output column by column at decode time (encoder_out[:, :, j] = f(encoder_out[:, :, j])) raised the in-place error; the encoder output takes part in the gradient (attention had saved it)
# shape: decoder loop: index assignment into another module's output that attention (bmm) saved
import torch
import torch.nn as nn


class TinyDecoder(nn.Module):
    def __init__(self, dim=4):
        super().__init__()
        self.query = nn.Linear(dim, dim)
        self.refine = nn.Linear(1, 1)

    def forward(self, state, encoder_out, steps=3):
        outputs = []
        for j in range(steps):
            scores = torch.bmm(encoder_out.transpose(1, 2), self.query(state).unsqueeze(2))
            context = torch.bmm(encoder_out, torch.softmax(scores, dim=1)).squeeze(2)
            outputs.append(context)
            encoder_out[:, :, j] = torch.tanh(self.refine(encoder_out[:, :, j : j + 1])).squeeze(2)  # <- error
            state = context
        return torch.stack(outputs, 1)


def make_inputs():
    torch.manual_seed(0)
    return nn.Conv1d(3, 4, 1), TinyDecoder(), torch.randn(2, 3, 5), torch.randn(2, 4)


def run(encoder, decoder, source, state):
    return decoder(state, encoder(source)).pow(2).sum()


def reference(encoder, decoder, source, state):
    encoder_out = encoder(source)
    outputs = []
    for j in range(3):
        scores = torch.bmm(encoder_out.transpose(1, 2), decoder.query(state).unsqueeze(2))
        context = torch.bmm(encoder_out, torch.softmax(scores, dim=1)).squeeze(2)
        outputs.append(context)
        column = torch.tanh(decoder.refine(encoder_out[:, :, j : j + 1]))
        encoder_out = torch.cat([encoder_out[:, :, :j], column, encoder_out[:, :, j + 1 :]], 2)
        state = context
    return torch.stack(outputs, 1).pow(2).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
