"""Slowdown of a small CPU training step under `outplace trace`'s watcher.

Usage: python bench/trace_overhead.py [--steps N] [--repeats R]
Times the same steps with and without `fixer.trace.watch()`, interleaved (off, on, off, on ...),
and prints the median time per step of each and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fixer.trace import watch  # noqa: E402


def make_model(kind: str = "mlp") -> nn.Module:
    if kind == "cnn":  # a small CIFAR-sized convnet: compute per op outweighs per-op overhead
        return nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 8 * 8, 10),
        )
    return nn.Sequential(nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(inplace=True),
                         nn.Linear(128, 128), nn.Tanh(), nn.Linear(128, 10))


def make_batch(kind: str) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.randn(32, 3, 32, 32) if kind == "cnn" else torch.randn(32, 64)
    return x, torch.randint(0, 10, (32,))


def steps(model: nn.Module, optimizer: torch.optim.Optimizer, batches: list[tuple[torch.Tensor, torch.Tensor]]) -> None:
    for x, y in batches:
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def timed(watched: bool, count: int, kind: str = "mlp") -> float:
    torch.manual_seed(0)
    model = make_model(kind)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    batches = [make_batch(kind) for _ in range(count)]
    start = time.perf_counter()
    if watched:
        with watch():
            steps(model, optimizer, batches)
    else:
        steps(model, optimizer, batches)
    return (time.perf_counter() - start) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--model", choices=("mlp", "cnn"), default="mlp",
                        help="mlp: 64-128-128-10 with BatchNorm, batch 32; cnn: two conv blocks on 32x32 images, batch 32")
    args = parser.parse_args()
    torch.set_num_threads(1)
    timed(False, 3, args.model), timed(True, 3, args.model)  # warm up both paths
    off, on = [], []
    for _ in range(args.repeats):
        off.append(timed(False, args.steps, args.model))
        on.append(timed(True, args.steps, args.model))
    ratios = [b / a for a, b in zip(off, on)]
    print(f"torch {torch.__version__}, model {args.model}, {args.steps} steps x {args.repeats} repeats, 1 thread")
    print(f"watcher off: {statistics.median(off) * 1e3:.2f} ms/step")
    print(f"watcher on:  {statistics.median(on) * 1e3:.2f} ms/step")
    print(f"slowdown: {statistics.median(ratios):.2f}x (min {min(ratios):.2f}x, max {max(ratios):.2f}x)")


if __name__ == "__main__":
    main()
