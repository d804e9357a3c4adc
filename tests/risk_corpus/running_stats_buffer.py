# expect: clean
import torch


class Norm(torch.nn.Module):
    def forward(self, x: torch.Tensor):
        mean = x.mean(0)
        if self.training:
            with torch.no_grad():
                self.running_mean.mul_(0.9).add_(0.1 * mean)
                rm = self.running_mean
                rm += 0.0
        return x - mean
