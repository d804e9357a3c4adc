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


def make_model() -> nn.Module:
    return nn.Sequential(nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(inplace=True),
                         nn.Linear(128, 128), nn.Tanh(), nn.Linear(128, 10))


def steps(model: nn.Module, optimizer: torch.optim.Optimizer, batches: list[tuple[torch.Tensor, torch.Tensor]]) -> None:
    for x, y in batches:
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def timed(watched: bool, count: int) -> float:
    torch.manual_seed(0)
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    batches = [(torch.randn(32, 64), torch.randint(0, 10, (32,))) for _ in range(count)]
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
    args = parser.parse_args()
    torch.set_num_threads(1)
    timed(False, 5), timed(True, 5)  # warm up both paths
    off, on = [], []
    for _ in range(args.repeats):
        off.append(timed(False, args.steps))
        on.append(timed(True, args.steps))
    ratios = [b / a for a, b in zip(off, on)]
    print(f"torch {torch.__version__}, {args.steps} steps x {args.repeats} repeats, 1 thread")
    print(f"watcher off: {statistics.median(off) * 1e3:.2f} ms/step")
    print(f"watcher on:  {statistics.median(on) * 1e3:.2f} ms/step")
    print(f"slowdown: {statistics.median(ratios):.2f}x (min {min(ratios):.2f}x, max {max(ratios):.2f}x)")


if __name__ == "__main__":
    main()
