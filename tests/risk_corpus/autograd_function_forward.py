# expect: clean
import torch


class MaskedSoftmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, mask):
        out = torch.softmax(x, -1)  # autograd is off inside Function.forward
        out.masked_fill_(mask, 0.0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        g = grad * out
        g -= out * g.sum(-1, keepdim=True)
        return g, None
