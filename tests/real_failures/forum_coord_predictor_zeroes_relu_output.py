# expect: error
# source: https://github.com/JDAI-CV/LIO/issues/9
# report: training the object-extent learning module raised the in-place error (the report names a SubBackward0 output); on torch 2.13 the failing write is the coordinate predictor (Linear then ReLU) zeroing its anchor position by index assignment, indices from torch.max
# shape: forward: index assignment (indices from torch.max) into the output of nn.Sequential(Linear, ReLU)
import torch
import torch.nn as nn


class RelativeCoordPredictor(nn.Module):
    def __init__(self, in_dim=3):
        super().__init__()
        self.predictor = nn.Sequential(nn.Linear(2 * in_dim, 2), nn.ReLU())

    def forward(self, x, target_angle):
        N, C, H, W = x.shape
        reduced_x = x.view(N, C, H * W).transpose(1, 2)
        _, max_index = torch.max(reduced_x.mean(-1), dim=-1)
        batch_index = torch.arange(N)
        max_features = reduced_x[batch_index, max_index].unsqueeze(1).expand(N, H * W, C)
        preds_coord = self.predictor(torch.cat((max_features, reduced_x), dim=-1))
        preds_coord[batch_index, max_index, :] = 0.0  # <- error
        gap_angle = preds_coord[:, :, 1] - target_angle
        gap_angle[gap_angle < 0] += 1
        return (gap_angle - gap_angle.mean(-1, keepdim=True)).pow(2).mean()


def make_inputs():
    torch.manual_seed(0)
    return nn.Conv2d(2, 3, 1), RelativeCoordPredictor(), torch.randn(2, 2, 3, 3), torch.rand(2, 9)


def run(backbone, predictor, images, target_angle):
    return predictor(torch.relu(backbone(images)), target_angle)


def reference(backbone, predictor, images, target_angle):
    x = torch.relu(backbone(images))
    N, C, H, W = x.shape
    reduced_x = x.view(N, C, H * W).transpose(1, 2)
    _, max_index = torch.max(reduced_x.mean(-1), dim=-1)
    batch_index = torch.arange(N)
    max_features = reduced_x[batch_index, max_index].unsqueeze(1).expand(N, H * W, C)
    preds_coord = predictor.predictor(torch.cat((max_features, reduced_x), dim=-1))
    keep = torch.ones_like(preds_coord)
    keep[batch_index, max_index, :] = 0.0
    gap_angle = (preds_coord * keep)[:, :, 1] - target_angle
    gap_angle = torch.where(gap_angle < 0, gap_angle + 1, gap_angle)
    return (gap_angle - gap_angle.mean(-1, keepdim=True)).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
