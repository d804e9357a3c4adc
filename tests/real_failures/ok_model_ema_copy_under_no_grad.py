# expect: clean
# source: https://github.com/huggingface/pytorch-image-models/blob/main/timm/utils/model_ema.py
# report: ModelEmaV2 keeps a deep copy of the model and updates every tensor of its state_dict with ema_v.copy_(...) inside torch.no_grad()
# shape: copy_ into EMA weights under torch.no_grad(), between training steps
from copy import deepcopy

import torch
import torch.nn as nn


class ModelEmaV2(nn.Module):
    def __init__(self, model, decay=0.9):
        super().__init__()
        self.module = deepcopy(model)
        self.module.eval()
        self.decay = decay

    def _update(self, model, update_fn):
        with torch.no_grad():
            for ema_v, model_v in zip(self.module.state_dict().values(), model.state_dict().values()):
                ema_v.copy_(update_fn(ema_v, model_v))

    def update(self, model):
        self._update(model, update_fn=lambda e, m: self.decay * e + (1.0 - self.decay) * m)


def make_inputs():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)), torch.randn(5, 4)


def run(model, x):
    ema = ModelEmaV2(model)
    loss = model(x).pow(2).mean()
    ema.update(model)
    distill = (model(x) - ema.module(x)).pow(2).mean()
    return loss + distill


if __name__ == "__main__":
    run(*make_inputs()).backward()
