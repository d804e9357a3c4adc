import torch


def amsgrad_state(state: dict, exp_avg_sq, out_buffer):
    max_exp_avg_sq = state["max_exp_avg_sq"]
    torch.max(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)  # updates the tensor in `state`
    torch.add(exp_avg_sq, 1, out=out_buffer)  # the caller's tensor
    return state
