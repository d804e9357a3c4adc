# expect: error
# source: https://github.com/pytorch/pytorch/issues/31819
# report: a pure-PyTorch CTC filled its alpha table in place row by row; with a hand-written logadd (max/exp/log) backward failed on a SliceBackward output at version 17, expected 16
# shape: loop: index assignment alpha[t] = f(alpha[t - 1]) after torch.max saved slices of alpha
import torch
import torch.nn as nn

NEG = -1e4


def logadd(x0, x1, x2):
    m = torch.max(torch.max(x0, x1), x2)
    return m + torch.log(torch.exp(x0 - m) + torch.exp(x1 - m) + torch.exp(x2 - m))


def ctc_loss(log_probs, targets, blank=0):
    T, B, _ = log_probs.shape
    ext = torch.full((B, 2 * targets.shape[1] + 1), blank, dtype=torch.long)
    ext[:, 1::2] = targets
    emit = log_probs.gather(2, ext.expand(T, -1, -1))
    skip_ok = torch.cat([torch.zeros(B, 2, dtype=torch.bool), ext[:, 2:] != ext[:, :-2]], dim=1)
    alpha = torch.full((T, B, ext.shape[1] + 2), NEG)
    alpha[0, :, 2:4] = emit[0, :, :2]
    for t in range(1, T):
        prev = alpha[t - 1]
        skip = torch.where(skip_ok, prev[:, :-2], NEG)
        alpha[t, :, 2:] = emit[t] + logadd(prev[:, 2:], prev[:, 1:-1], skip)  # <- error
    last = alpha[T - 1]
    return -torch.logaddexp(last[:, -1], last[:, -2])


def make_inputs():
    torch.manual_seed(0)
    return nn.Linear(3, 4), torch.randn(5, 2, 3), torch.tensor([[1, 2], [3, 3]])


def run(head, feats, targets):
    return ctc_loss(head(feats).log_softmax(-1), targets).mean()


def reference(head, feats, targets):
    log_probs = head(feats).log_softmax(-1)
    T, B, _ = log_probs.shape
    ext = torch.full((B, 2 * targets.shape[1] + 1), 0, dtype=torch.long)
    ext[:, 1::2] = targets
    emit = log_probs.gather(2, ext.expand(T, -1, -1))
    skip_ok = torch.cat([torch.zeros(B, 2, dtype=torch.bool), ext[:, 2:] != ext[:, :-2]], dim=1)
    pad = torch.full((B, 2), NEG)
    rows = [torch.cat([pad, emit[0, :, :2], torch.full((B, ext.shape[1] - 2), NEG)], dim=1)]
    for t in range(1, T):
        prev = rows[-1]
        skip = torch.where(skip_ok, prev[:, :-2], NEG)
        rows.append(torch.cat([pad, emit[t] + logadd(prev[:, 2:], prev[:, 1:-1], skip)], dim=1))
    return (-torch.logaddexp(rows[-1][:, -1], rows[-1][:, -2])).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
