import torch


def amsgrad_state(state: dict, sq_avg, out_buffer):
    max_exp_avg_sq = state["max_exp_avg_sq"]
    torch.max(max_exp_avg_sq, sq_avg, out=max_exp_avg_sq)  # updates the tensor in `state`
    torch.add(sq_avg, 1, out=out_buffer)  # the caller's tensor
    return state
