# expect: clean
import torch


def _single_tensor_adam(params, grads, exp_avgs, exp_avg_sqs, lr: float, beta1: float, beta2: float):
    for i, param in enumerate(params):
        grad = grads[i]
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.sqrt()
        denom += 1e-8
        param.addcdiv_(exp_avg, denom, value=-lr)
