# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/models/vision_transformer.py
# report: init_weights_vit_timm re-initializes every Linear with trunc_normal_ and zeros_ (torch.nn.init runs under no_grad) before training starts
# shape: parameter init with in-place nn.init functions, then a training forward/backward
import torch
import torch.nn as nn


def init_weights_vit_timm(module):
    if isinstance(module, nn.Linear):
        nn.init.trunc_normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


class TinyViTHead(nn.Module):
    def __init__(self, dim=6, classes=3):
        super().__init__()
        self.pos_embed = nn.Parameter(torch.zeros(1, 4, dim))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        self.apply(init_weights_vit_timm)

    def forward(self, tokens):
        return self.head(self.norm(tokens + self.pos_embed).mean(1))


def make_inputs():
    torch.manual_seed(0)
    return TinyViTHead(), torch.randn(2, 4, 6), torch.tensor([0, 2])


def run(model, tokens, labels):
    return nn.functional.cross_entropy(model(tokens), labels)


if __name__ == "__main__":
    run(*make_inputs()).backward()
