# outplace-golden: no-findings
import torch
import torch.nn.functional as F


@torch.no_grad()
def squash(x):
    torch.sigmoid_(x)
    return x


def normalise(x):
    with torch.inference_mode():
        F.relu_(x)
    return x
