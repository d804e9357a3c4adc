# outplace-golden: unsafe-fixes
from torch import Tensor


def reset(state: Tensor) -> Tensor:
    state.zero_()
    return state
