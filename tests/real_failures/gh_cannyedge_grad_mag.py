# expect: error
# source: https://github.com/DCurro/CannyEdgePytorch/issues/5
# report: differentiating through the Canny edge network failed because of its in-place operations; the reporter rewrote the start of forward without them
# shape: forward: grad_mag += ... onto the output of torch.sqrt, which saved it
import torch
import torch.nn as nn


class CannyNet(nn.Module):
    def __init__(self):
        super().__init__()
        sobel = torch.tensor([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
        self.sobel_filter_horizontal = nn.Conv2d(1, 1, 3, padding=1)
        self.sobel_filter_vertical = nn.Conv2d(1, 1, 3, padding=1)
        with torch.no_grad():
            self.sobel_filter_horizontal.weight.copy_(sobel)
            self.sobel_filter_vertical.weight.copy_(sobel.T)
        self.directional_filter = nn.Conv2d(1, 2, 3, padding=1)

    def forward(self, img):
        img_r, img_g, img_b = torch.split(img, 1, dim=1)
        grad_x_r = self.sobel_filter_horizontal(img_r)
        grad_y_r = self.sobel_filter_vertical(img_r)
        grad_x_g = self.sobel_filter_horizontal(img_g)
        grad_y_g = self.sobel_filter_vertical(img_g)
        grad_x_b = self.sobel_filter_horizontal(img_b)
        grad_y_b = self.sobel_filter_vertical(img_b)
        grad_mag = torch.sqrt(grad_x_r ** 2 + grad_y_r ** 2)
        grad_mag += torch.sqrt(grad_x_g ** 2 + grad_y_g ** 2)  # <- error
        grad_mag += torch.sqrt(grad_x_b ** 2 + grad_y_b ** 2)  # <- error
        all_filtered = self.directional_filter(grad_mag)
        return grad_mag, all_filtered


def make_inputs():
    torch.manual_seed(0)
    return CannyNet(), torch.rand(1, 3, 6, 6, requires_grad=True)


def run(net, img):
    grad_mag, filtered = net(img)
    return grad_mag.mean() + filtered.abs().mean()


def reference(net, img):
    gx = [net.sobel_filter_horizontal(c) for c in torch.split(img, 1, dim=1)]
    gy = [net.sobel_filter_vertical(c) for c in torch.split(img, 1, dim=1)]
    grad_mag = torch.sqrt(gx[0] ** 2 + gy[0] ** 2) + torch.sqrt(gx[1] ** 2 + gy[1] ** 2)
    grad_mag = grad_mag + torch.sqrt(gx[2] ** 2 + gy[2] ** 2)
    return grad_mag.mean() + net.directional_filter(grad_mag).abs().mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()
