# expect: clean
import torch


def postprocess(logits: torch.Tensor):
    with torch.inference_mode():
        probs = torch.sigmoid(logits)
        probs *= 100
    return probs
