# expect: error
# source: https://github.com/huggingface/transformers/pull/24529
# report: OwlViT's class head normalized its embeddings with `/=` by their own norm; backward raised the in-place error when fine-tuning
# shape: forward: x /= torch.linalg.norm(x) + eps, where the norm saved x (twice: a local and a forward parameter)
import torch
import torch.nn as nn


class ClassPredictionHead(nn.Module):
    def __init__(self, dim, query_dim):
        super().__init__()
        self.dense0 = nn.Linear(dim, query_dim)
        self.logit_shift = nn.Linear(dim, 1)
        self.logit_scale = nn.Linear(dim, 1)
        self.elu = nn.ELU()

    def forward(self, image_embeds, query_embeds):
        image_class_embeds = self.dense0(image_embeds)
        image_class_embeds /= torch.linalg.norm(image_class_embeds, dim=-1, keepdim=True) + 1e-6  # <- error
        query_embeds /= torch.linalg.norm(query_embeds, dim=-1, keepdim=True) + 1e-6  # <- error
        pred_logits = torch.einsum("...pd,...qd->...pq", image_class_embeds, query_embeds)
        logit_shift = self.logit_shift(image_embeds)
        logit_scale = self.elu(self.logit_scale(image_embeds)) + 1
        return (pred_logits + logit_shift) * logit_scale


def make_inputs():
    torch.manual_seed(0)
    return ClassPredictionHead(6, 4), nn.Linear(5, 4), torch.randn(2, 3, 6), torch.randn(2, 2, 5)


def run(head, text_proj, image_embeds, text_feats):
    return head(image_embeds, text_proj(text_feats)).sigmoid().mean()


def reference(head, text_proj, image_embeds, text_feats):
    query = text_proj(text_feats)
    image_class = head.dense0(image_embeds)
    image_class = image_class / (torch.linalg.norm(image_class, dim=-1, keepdim=True) + 1e-6)
    query = query / (torch.linalg.norm(query, dim=-1, keepdim=True) + 1e-6)
    logits = torch.einsum("...pd,...qd->...pq", image_class, query)
    scale = head.elu(head.logit_scale(image_embeds)) + 1
    return ((logits + head.logit_shift(image_embeds)) * scale).sigmoid().mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
