# outplace-golden: no-findings
import torch


def predict(model, x: torch.Tensor):
    with torch.inference_mode():
        logits = torch.softmax(model(x), dim=-1)
        logits *= 100
    return logits
