# expect: clean
# source: https://github.com/facebookresearch/DiT/blob/main/train.py
# report: DiT's training script keeps an EMA copy of the model imported from models.py and updates it in place under @torch.no_grad() after each step; models.py fills its fixed position embedding through .data and zeroes the adaLN layers with nn.init
# shape: script-level update_ema: ema_param.mul_(decay).add_(param.data) under no_grad; imported model's init: pos_embed.data.copy_, nn.init.constant_
from collections import OrderedDict
from copy import deepcopy

import torch
import torch.nn.functional as F

from models import DiT


@torch.no_grad()
def update_ema(ema_model, model, decay=0.9999):
    ema_params = OrderedDict(ema_model.named_parameters())
    model_params = OrderedDict(model.named_parameters())
    for name, param in model_params.items():
        ema_params[name].mul_(decay).add_(param.data, alpha=1 - decay)


def requires_grad(model, flag=True):
    for p in model.parameters():
        p.requires_grad = flag


def make_inputs():
    torch.manual_seed(0)
    model = DiT()
    ema = deepcopy(model)
    requires_grad(ema, False)
    return model, ema, torch.randn(2, 4, 6), torch.tensor([3, 7])


def run(model, ema, x_start, t):
    noise = torch.randn_like(x_start)
    alpha = (1 - t.float() / 10).view(-1, 1, 1)
    x_t = alpha.sqrt() * x_start + (1 - alpha).sqrt() * noise
    loss = F.mse_loss(model(x_t, t), noise)
    update_ema(ema, model)
    return loss


if __name__ == "__main__":
    run(*make_inputs()).backward()
