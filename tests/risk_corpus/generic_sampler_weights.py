# expect: clean
# A data sampler whose base is subscripted (`Sampler[List[int]]`): its attributes are plain
# values, so a weight table built from `arange` never requires grad.
from typing import List

import torch
from torch.utils.data import Sampler


class CurriculumSampler(Sampler[List[int]]):
    def weights_for_epoch(self, epoch: int) -> torch.Tensor:
        positions = torch.arange(len(self.sizes), dtype=torch.float64)
        center = min(epoch / 10, 1.0) * (len(self.sizes) - 1)
        weights = torch.exp(-0.5 * ((positions - center) / self.spread) ** 2)
        weights *= self.base_weights
        weights /= weights.sum()
        return weights
