import torch


def make_inputs():
	return (torch.randn(5, requires_grad=True),)


def run(z: torch.Tensor):
	h = torch.tanh(z)
	if h.sum() > -100:
		h = h - 0.5
		h = h * (
			z.abs()
			+ 1
		)
	return h.sum()
