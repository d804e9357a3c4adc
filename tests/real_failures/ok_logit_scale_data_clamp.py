# expect: clean
# source: https://github.com/huggingface/transformers/blob/main/src/transformers/models/flava/modeling_flava.py
# report: in training, the FLAVA pretraining forward clamps the learnable contrastive temperature through its .data (self.flava.logit_scale.data.clamp_(...)) before computing the contrastive logits
# shape: .data.clamp_ on a parameter inside a training forward, before the parameter is used
import torch
import torch.nn as nn
import torch.nn.functional as F

LOGIT_SCALE_CLAMP_MIN = 0.0
LOGIT_SCALE_CLAMP_MAX = 4.6052


class ContrastiveHead(nn.Module):
    def __init__(self, dim=6, proj=4):
        super().__init__()
        self.text_projection = nn.Linear(dim, proj)
        self.image_projection = nn.Linear(dim, proj)
        self.logit_scale = nn.Parameter(torch.tensor(5.0))

    def forward(self, text_embeddings, image_embeddings):
        text_embedding = F.normalize(self.text_projection(text_embeddings), dim=-1)
        image_embedding = F.normalize(self.image_projection(image_embeddings), dim=-1)
        if self.training:
            self.logit_scale.data.clamp_(LOGIT_SCALE_CLAMP_MIN, LOGIT_SCALE_CLAMP_MAX)
        logits_per_image = image_embedding @ text_embedding.t() * self.logit_scale.exp()
        labels = torch.arange(logits_per_image.shape[0])
        return (F.cross_entropy(logits_per_image, labels) + F.cross_entropy(logits_per_image.t(), labels)) / 2


def make_inputs():
    torch.manual_seed(0)
    return ContrastiveHead(), torch.randn(3, 6), torch.randn(3, 6)


def run(head, text_embeddings, image_embeddings):
    return head(text_embeddings, image_embeddings)


if __name__ == "__main__":
    run(*make_inputs()).backward()
