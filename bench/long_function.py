"""Cost of one long function against the same lines split into short ones (issue 15's "Cost" proof).

Usage (with outplace's own interpreter, from the repository root):

    python bench/long_function.py                     N = 5,000, 10,000, 20,000 lines
    python bench/long_function.py --lines 50000       any sizes
    python bench/long_function.py --write DIR         also write the generated files, to profile them

For each N it generates realistic PyTorch model code (tensor ops, in-place writes of several
kinds after ops that save their inputs or outputs, rebinding, `if`/`for` blocks, submodule calls),
once as the body of one `forward` of N lines and once as the same lines in N/200 methods, then
times the engine's plan of both (CPU of this process, best of --rounds) with every rule, and
prints the ratio. Both are timed in the same run, interleaved, so machine load cancels out.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fixer.core import engine  # noqa: E402
from fixer.core.registry import all_rules  # noqa: E402

SPLIT = 200  # lines per function in the split version
HEADER = '''import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.proj = nn.Linear(d, d)
        self.attn = nn.MultiheadAttention(d, 4)
        self.act = nn.ReLU(inplace=True)
        self.body = nn.Sequential(nn.Linear(d, d), nn.ReLU())
        self.scale = nn.Parameter(torch.ones(d))

'''
PARAMS = "self, x, y, w, m, v, idx"

# Statement groups: `{i}` is a running number (fresh names and constants), `{a}`/`{b}` are names
# drawn from the pool of tensors rebound along the way; each group is a few lines at one indent.
POOL = ("x", "y", "h", "z", "skip", "q", "k", "out")
GROUPS = (
    "h = torch.sigmoid({a})\nh += {i}",
    "z = torch.matmul({a}, w)\n{a}.add_(y)",
    "q = self.norm({a})\nq[m] = v",
    "skip = self.proj({a})\n{b} = F.relu({b}, inplace=True)",
    "k = {a} * {b}\n{b} *= 0.{i}",
    "out = torch.tanh({a} + {b})\nout.mul_(2)",
    "t{i} = {a}.view(-1)\nt{i}[idx] = 0\n{a} = {a} + t{i}.sum()",
    "if {a}.shape[0] > {i}:\n    {b} = {b} + {a}\nelse:\n    {b} = {b} - {a}",
    "for j in range(3):\n    h = h + {a}[j]\n    h[:, j] = {b}[:, j]",
    "{a} = self.body({a})\n{a} += skip",
    "s{i} = {a}.size(-1)\nz = {b}.softmax(-1) / s{i}\nz.clamp_(min=0)",
    "{a} = {a}.transpose(0, 1).contiguous()\nn{i} = {a}.norm(dim=-1, keepdim=True)\n{a} /= n{i}",
    "h, _ = self.attn({a}, {b}, {b})\nh = self.act(h)",
    "e{i} = torch.exp({a})\ne{i}.sub_(1)\n{b} = {b} * self.scale",
    "with torch.no_grad():\n    w.mul_(0.99)\n    {a}.zero_()",
    "c{i} = torch.cat([{a}, {b}], dim=-1)\n{a}, {b} = c{i}.chunk(2, dim=-1)",
    "torch.add({a}, {b}, out={a})\nmask{i} = {a} > 0\nmask{i} &= m",
    "p{i} = F.gelu({a})\n{a} -= p{i}.mean()",
)


def body_groups(n: int, seed: int = 15) -> list[list[str]]:
    """About `n` lines of forward-body statements (no indent), in groups that stay whole."""
    rng = random.Random(seed)
    groups = [["h = x", "z = y", "skip = x", "q = x", "k = y", "out = y"]]
    lines = len(groups[0])
    while lines < n:
        a, b = rng.sample(POOL, 2)
        groups.append(rng.choice(GROUPS).format(i=len(groups), a=a, b=b).splitlines())
        lines += len(groups[-1])
    return groups


def _method(name: str, lines: list[str]) -> str:
    body = "".join(f"        {line}\n" for line in lines)
    return f"    def {name}({PARAMS}):\n{body}        return x + y + h + z\n\n"


def one_function(groups: list[list[str]]) -> str:
    """The lines as the body of one `forward`."""
    return HEADER + _method("forward", [line for group in groups for line in group])


def split_functions(groups: list[list[str]]) -> str:
    """The same lines in methods of about SPLIT lines each (groups stay whole)."""
    chunks: list[list[str]] = [[]]
    for group in groups:
        if len(chunks[-1]) >= SPLIT:
            chunks.append([])
        chunks[-1] += group
    return HEADER + "".join(_method(f"forward_{n}", chunk) for n, chunk in enumerate(chunks))


def plan_cpu(text: str) -> tuple[float, int]:
    """CPU seconds of the engine's plan of `text` with every rule, and the number of findings."""
    rules = all_rules()
    start = time.process_time()
    result = engine.plan(text, "model.py", rules)
    return time.process_time() - start, len(result.findings)


def measure(n: int, rounds: int, write: Path | None) -> tuple[float, float, int, int]:
    groups = body_groups(n)
    long_text, split_text = one_function(groups), split_functions(groups)
    if write is not None:
        write.mkdir(parents=True, exist_ok=True)
        (write / f"one_{n}.py").write_text(long_text)
        (write / f"split_{n}.py").write_text(split_text)
    long_times, split_times = [], []
    for _ in range(rounds):  # interleaved, so a load change hits both alike
        split_time, split_count = plan_cpu(split_text)
        long_time, long_count = plan_cpu(long_text)
        split_times.append(split_time)
        long_times.append(long_time)
    return min(long_times), min(split_times), long_count, split_count


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[5000, 10000, 20000])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--write", type=Path, help="write the generated files into this folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print("| N lines | one function CPU s | split CPU s | ratio | findings (one / split) |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for n in args.lines:
        long_time, split_time, long_count, split_count = measure(n, args.rounds, args.write)
        print(f"| {n:,} | {long_time:.2f} | {split_time:.2f} | {long_time / split_time:.2f} | {long_count} / {split_count} |", flush=True)


if __name__ == "__main__":
    main()
