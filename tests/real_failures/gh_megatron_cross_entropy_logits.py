# expect: error
# source: https://github.com/NVIDIA/Megatron-LM/pull/1594
# report: the vocab cross entropy subtracted the row max from its input in place; `.float()` is a no-op on float32 logits, so the caller's logits were modified and backward failed when they were used elsewhere
# shape: autograd.Function.forward writes its argument (`logits -= max`) through a no-op .float(); the caller's logits were saved by another loss term
import torch
import torch.nn as nn


class VocabCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, target):
        logits = logits.float()
        logits_max = logits.max(dim=-1)[0]
        logits -= logits_max.unsqueeze(dim=-1)  # <- error
        predicted = logits.gather(-1, target.unsqueeze(-1)).squeeze(-1)
        exp_logits = logits
        torch.exp(logits, out=exp_logits)
        sum_exp = exp_logits.sum(dim=-1)
        loss = torch.log(sum_exp) - predicted
        exp_logits.div_(sum_exp.unsqueeze(dim=-1))
        ctx.save_for_backward(exp_logits, target)
        return loss

    @staticmethod
    def backward(ctx, grad_output):
        softmax, target = ctx.saved_tensors
        grad_input = softmax.clone()
        grad_input.scatter_add_(-1, target.unsqueeze(-1), -torch.ones_like(grad_input[..., :1]))
        return grad_input * grad_output.unsqueeze(-1), None


def make_inputs():
    torch.manual_seed(0)
    return nn.Linear(4, 6), torch.randn(3, 4), torch.tensor([1, 0, 5])


def run(lm_head, hidden, target):
    logits = lm_head(hidden)
    z_loss = logits.pow(2).mean()
    ce = VocabCrossEntropy.apply(logits, target).mean()
    return ce + 1e-4 * z_loss


def reference(lm_head, hidden, target):
    logits = lm_head(hidden)
    z_loss = logits.pow(2).mean()
    ce = VocabCrossEntropy.apply(logits.clone(), target).mean()
    return ce + 1e-4 * z_loss


if __name__ == "__main__":
    run(*make_inputs()).backward()
