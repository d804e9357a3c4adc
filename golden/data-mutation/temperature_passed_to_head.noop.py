# outplace-golden: no-findings
import torch
import torch.nn as nn


class ContrastiveHead(nn.Module):
    def forward(self, a, b, logit_scale):
        temperature = torch.exp(logit_scale)
        return (a @ b.t() * temperature).logsumexp(-1).mean()


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 3)
        self.logit_scale = nn.Parameter(torch.tensor(5.0))
        nn.init.constant_(self.logit_scale, 2.0)


class Pretraining(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = Backbone()
        self.head = ContrastiveHead()

    def forward(self, a, b):
        self.backbone.logit_scale.data.clamp_(0.0, 4.6)
        return self.head(self.backbone.proj(a), self.backbone.proj(b), self.backbone.logit_scale)


def make_inputs():
    torch.manual_seed(0)
    return torch.randn(2, 4, requires_grad=True), torch.randn(2, 4)


def run(a, b):
    torch.manual_seed(1)
    model = Pretraining()
    return model(a, b) + model(b, a)
