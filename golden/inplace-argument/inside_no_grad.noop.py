# outplace-golden: no-findings
import torch
import torch.nn.functional as F


@torch.no_grad()
def normalise(x):
    return F.relu(x, inplace=True)


def clamp_weights(w):
    with torch.no_grad():
        F.hardtanh(w, -1.0, 1.0, True)
    return w
