# expect: error
# source: https://github.com/zaiweizhang/H3DNet/issues/29
# report: the proposal refinement head added the original proposal feature onto F.relu(bn(conv(...))) with +=, which fails on backward in many PyTorch versions; net = net + original_feature fixed it
# shape: forward: += onto the output of F.relu (ReLU saved its output)
import torch
import torch.nn as nn
import torch.nn.functional as F


class RefineHead(nn.Module):
    def __init__(self, channels=6, outputs=4):
        super().__init__()
        self.conv_refine1 = nn.Conv1d(channels * 2, channels, 1)
        self.bn_refine1 = nn.BatchNorm1d(channels)
        self.conv_refine2 = nn.Conv1d(channels, channels, 1)
        self.bn_refine2 = nn.BatchNorm1d(channels)
        self.conv_refine3 = nn.Conv1d(channels, outputs, 1)

    def forward(self, combine_feature, original_feature):
        net = F.relu(self.bn_refine1(self.conv_refine1(combine_feature)))
        net += original_feature  # <- error
        net = F.relu(self.bn_refine2(self.conv_refine2(net)))
        return self.conv_refine3(net)


def make_inputs():
    torch.manual_seed(0)
    return RefineHead(), nn.Conv1d(3, 6, 1), torch.randn(2, 12, 5), torch.randn(2, 3, 5)


def run(head, proposal_conv, combine_feature, points):
    original_feature = proposal_conv(points)
    return head(combine_feature, original_feature).pow(2).mean()


def reference(head, proposal_conv, combine_feature, points):
    original_feature = proposal_conv(points)
    net = F.relu(head.bn_refine1(head.conv_refine1(combine_feature))) + original_feature
    net = F.relu(head.bn_refine2(head.conv_refine2(net)))
    return head.conv_refine3(net).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
