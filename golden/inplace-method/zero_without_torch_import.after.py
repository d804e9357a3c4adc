# outplace-golden: unsafe-fixes
from torch import Tensor
import torch


def reset(state: Tensor) -> Tensor:
    state = torch.zeros_like(state)
    return state
