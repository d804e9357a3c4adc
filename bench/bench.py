"""outplace's benchmark: whole processes, interleaved, against bare LibCST parsing and TorchFix.

Usage (with outplace's own interpreter, e.g. `.venv/bin/python bench/bench.py`):

    bench.py                  full corpus, 3 rounds, writes bench/results.md (section "latest")
    bench.py --quick          a 1-in-10 subset, for iterating
    bench.py --corpus DIR     reuse a built corpus (DIR/src, DIR/files.txt), read only
    bench.py --baseline DIR   also time `check -j 1` of the outplace source tree in DIR

The corpus is every *.py file of seven pinned, hash-checked wheels (corpus-requirements.txt),
built under the work folder (--work) on first use. TorchFix 0.7.0 gets a venv of its own there
(torchfix-requirements.txt) and, being slow, runs on a 1-in-N slice: its full-corpus cost is
extrapolated through the bare parse of the same slice, timed in the same round.

Each round runs every task once as a child process, in the same order (A B C .. A B C ..), so
load drifts hit all of them alike; a ratio is taken within each round, then summarised as the
median and the min-max over rounds. CPU is user+system of the process and its reaped children
(worker pools included); peak RSS is the largest single process.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_WORK = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "outplace-bench"
ONE_FILE = "transformers-5.24.0/transformers/models/bert/modeling_bert.py"
BARE = "libcst parse"
COLD = "outplace check, writing the cache"
WARM = "outplace check re-run with cache"
CACHE = ".outplace_cache"
BEGIN, END = "<!-- bench:{} -->", "<!-- /bench:{} -->"


@dataclasses.dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    rss_mb: float


@dataclasses.dataclass
class Task:
    """One timed child process; `against` names the task whose CPU it is divided by."""

    name: str
    files: int
    against: str = BARE
    samples: list[Sample] = dataclasses.field(default_factory=list)


# corpus and venvs -------------------------------------------------------------------------------
def build_corpus(work: Path, python: str) -> Path:
    """Download the pinned wheels (hash-checked) and extract their *.py files; idempotent."""
    out = work / "corpus"
    if (out / "files.txt").is_file():
        return out
    wheels = out / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [python, "-m", "pip", "download", "--no-deps", "--require-hashes", "--only-binary=:all:",
         "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
         "--platform", "manylinux_2_28_x86_64", "-r", str(HERE / "corpus-requirements.txt"),
         "-d", str(wheels)],
        check=True,
    )  # fmt: skip
    files = []
    for whl in sorted(wheels.glob("*.whl")):
        dist = "-".join(whl.name.split("-")[:2])
        with zipfile.ZipFile(whl) as archive:
            for name in archive.namelist():
                if name.endswith(".py") and ".dist-info/" not in name:
                    dest = out / "src" / dist / name
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(archive.read(name))
                    files.append(f"{dist}/{name}")
    (out / "files.txt").write_text("\n".join(sorted(files)) + "\n")
    return out


def torchfix_python(work: Path) -> Path:
    """The interpreter of TorchFix's own venv, made on first use from the pinned, hashed wheels."""
    venv = work / "torchfix-venv"
    python = venv / "bin" / "python"
    if not (venv / "bin" / "torchfix").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--no-deps",
             "--require-hashes", "--only-binary=:all:", "-r", str(HERE / "torchfix-requirements.txt")],
            check=True,
        )  # fmt: skip
    return python


def subset(corpus: Path, every: int, dest: Path) -> Path:
    """A copy of every `every`-th corpus file under `dest` (a corpus of its own)."""
    if (dest / "files.txt").is_file():
        return dest
    chosen = read_list(corpus)[::every]
    for name in chosen:
        target = dest / "src" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / "src" / name, target)
    (dest / "files.txt").write_text("\n".join(chosen) + "\n")
    return dest


def read_list(corpus: Path) -> list[str]:
    return [line for line in (corpus / "files.txt").read_text().splitlines() if line]


# timing -----------------------------------------------------------------------------------------
def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0, 1, 2)) -> Sample:
    """Run `cmd` to completion; its wall time, CPU (with reaped children) and peak RSS.

    outplace exits 2 when some file failed (the others are still processed): that is timed too.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode not in ok:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(cmd)} exited {child.returncode}:\n{tail}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def parse_files(listing: str, root: str) -> None:
    """The bare-parse yardstick: `libcst.parse_module` of every listed file, nothing else."""
    import libcst

    failed = 0
    for name in Path(listing).read_text().splitlines():
        if name:
            try:
                libcst.parse_module(Path(root, name).read_bytes())
            except libcst.ParserSyntaxError:
                failed += 1
    print(f"{failed} files failed to parse")


# the run ----------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> list[Task]:
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    corpus = args.corpus.resolve() if args.corpus else build_corpus(work, args.python)
    if args.quick:
        corpus = subset(corpus, 10, work / f"quick-{corpus.name}")
    names = read_list(corpus)
    src = corpus / "src"
    listing = corpus / "files.txt"
    one = ONE_FILE if ONE_FILE in names else names[len(names) // 2]
    outplace = [args.python, "-m", "fixer"]
    me = [args.python, str(Path(__file__).resolve())]
    tf_every = max(1, args.torchfix_every)
    tf_names = names[::tf_every]
    tf_listing = work / f"torchfix-slice-{tf_every}.txt"
    tf_listing.write_text("\n".join(tf_names) + "\n")
    tf_python = None if args.no_torchfix else torchfix_python(work)
    copy = work / "fix-copy"

    def fresh_copy() -> None:
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(src, copy)

    steps: list[tuple[Task, object]] = []

    def step(name: str, files: int, action: object, against: str = BARE) -> None:
        steps.append((Task(name, files, against), action))

    n = len(names)
    step(BARE, n, lambda: timed([*me, "_parse", str(listing), str(src)], work))
    step("outplace check -j1", n, lambda: timed([*outplace, "check", "--no-cache", "-j", "1", str(src)], work))
    if args.baseline:
        env = {**os.environ, "PYTHONPATH": str(args.baseline.resolve())}
        # --no-cache: else the baseline writes its cache in round 1 and reads it back in the next ones
        step("baseline check -j1", n, lambda: timed([*outplace, "check", "--no-cache", "-j", "1", str(src)], work, env))
    step("outplace check", n, lambda: timed([*outplace, "check", "--no-cache", str(src)], work))

    def cold_check() -> Sample:  # the cache is at the project root: src/ has no pyproject.toml, so the work folder (cwd)
        for folder in (src, work):
            shutil.rmtree(folder / CACHE, ignore_errors=True)
        return timed([*outplace, "check", str(src)], work)

    step(COLD, n, cold_check)
    step(WARM, n, lambda: timed([*outplace, "check", str(src)], work))
    # --fix-warnings: diff and fix rewrite warnings too, the most work, as before errors became the default
    step("outplace diff", n, lambda: timed([*outplace, "diff", "--no-cache", "--fix-warnings", str(src)], work))

    state: dict[str, str] = {}

    def first_fix() -> Sample:
        fresh_copy()
        sample = timed([*outplace, "fix", "--no-cache", "--fix-warnings", str(copy)], work)
        state["after_first"] = tree_digest(copy)
        return sample

    def second_fix() -> Sample:
        sample = timed([*outplace, "fix", "--no-cache", "--fix-warnings", str(copy)], work)
        if tree_digest(copy) != state["after_first"]:
            raise SystemExit("the second `outplace fix` changed files: fix does not converge")
        return sample

    step("outplace fix (fresh copy)", n, first_fix)
    step("outplace fix again (no-op)", n, second_fix)
    step("outplace check one file", 1, lambda: timed([*outplace, "check", "--no-cache", str(src / one)], work), against="")
    if tf_python is not None:
        slice_bare = f"{BARE}, 1/{tf_every} slice"
        step(slice_bare, len(tf_names), lambda: timed([*me, "_parse", str(tf_listing), str(src)], work), against="")
        tf_cmd = [str(tf_python), "-m", "torchfix", *(str(src / name) for name in tf_names)]
        step(f"TorchFix 0.7.0 check, 1/{tf_every} slice", len(tf_names), lambda: timed(tf_cmd, work), slice_bare)

    for round_no in range(1, args.rounds + 1):
        for task, action in steps:
            sample = action()  # type: ignore[operator]
            task.samples.append(sample)
            print(f"round {round_no}/{args.rounds}  {task.name:<34} wall {sample.wall:7.2f} s  "
                  f"cpu {sample.cpu:7.2f} s  rss {sample.rss_mb:6.0f} MB", file=sys.stderr, flush=True)  # fmt: skip
    shutil.rmtree(copy, ignore_errors=True)
    shutil.rmtree(src / CACHE, ignore_errors=True)
    return [task for task, _ in steps]


# reporting --------------------------------------------------------------------------------------
def spread(values: list[float], digits: int = 2) -> str:
    """`median (min-max)`, or the single value."""
    med = f"{statistics.median(values):.{digits}f}"
    if len(values) == 1:
        return med
    return f"{med} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def ratios(task: Task, by_name: dict[str, Task]) -> list[float]:
    """CPU of `task` over CPU of its yardstick, round by round."""
    base = by_name.get(task.against)
    if base is None or base is task:
        return []
    return [s.cpu / b.cpu for s, b in zip(task.samples, base.samples) if b.cpu > 0]


def render(tasks: list[Task]) -> str:
    """The results table (Markdown), then the derived figures the targets are stated in."""
    by_name = {t.name: t for t in tasks}
    lines = [
        "| task | files | wall s | CPU s | peak RSS MB | CPU / bare parse |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for t in tasks:
        r = ratios(t, by_name)
        lines.append(
            f"| {t.name} | {t.files} | {spread([s.wall for s in t.samples])} | "
            f"{spread([s.cpu for s in t.samples])} | {max(s.rss_mb for s in t.samples):.0f} | "
            f"{spread(r) if r else '-'} |"
        )
    lines.append("")
    lines += derived(tasks, by_name)
    return "\n".join(lines) + "\n"


def derived(tasks: list[Task], by_name: dict[str, Task]) -> list[str]:
    """TorchFix extrapolated to the corpus, and outplace's speed-up over it, per round."""
    out = []
    check = by_name.get("outplace check -j1")
    torchfix = next((t for t in tasks if t.name.startswith("TorchFix")), None)
    if check and torchfix and ratios(torchfix, by_name):
        per_round = [tf / oc for tf, oc in zip(ratios(torchfix, by_name), ratios(check, by_name))]
        full = [r * b.cpu for r, b in zip(ratios(torchfix, by_name), by_name[BARE].samples)]
        out.append(f"- TorchFix on all the files of this run, extrapolated (its slice ratio x the bare parse): "
                   f"{spread(full, 0)} s CPU")  # fmt: skip
        out.append(f"- outplace check -j1 is {spread(per_round, 1)}x faster than TorchFix in CPU")
    cold, warm = by_name.get(COLD), by_name.get(WARM)
    if cold and warm:
        shares = [100 * w.cpu / c.cpu for w, c in zip(warm.samples, cold.samples) if c.cpu > 0]
        out.append(f"- check re-run with cache: {spread(shares, 1)} % of the first (cache-writing) run's CPU")
    one = by_name.get("outplace check one file")
    if one:
        out.append(f"- one-file run: {spread([s.wall for s in one.samples])} s wall")
    return out


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return [f"- machine: {platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs{mem}"]


def versions(args: argparse.Namespace, tf_python: Path | None) -> list[str]:
    def ask(python: str, code: str) -> str:
        done = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=REPO)
        return done.stdout.strip() or "?"

    rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    meta = "import importlib.metadata as m; print(m.version({!r}))"
    out = [
        f"- python {ask(args.python, 'import platform; print(platform.python_version())')}, "
        f"outplace {ask(args.python, meta.format('outplace'))} (git {rev.stdout.strip() or '?'}), "
        f"libcst {ask(args.python, meta.format('libcst'))}",
    ]
    if tf_python is not None:
        out.append(f"- TorchFix {ask(str(tf_python), meta.format('TorchFix'))} with libcst "
                   f"{ask(str(tf_python), meta.format('libcst'))} (its own venv)")  # fmt: skip
    return out


def write_results(path: Path, label: str, body: str) -> None:
    """Put `body` in `path` as the section `label`, replacing that section only."""
    text = path.read_text() if path.exists() else "# outplace benchmark results\n\nWritten by `bench/bench.py`.\n"
    begin, end = BEGIN.format(label), END.format(label)
    section = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 1-in-10 subset of the corpus")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--corpus", type=Path, help="a built corpus to reuse (src/ and files.txt), read only")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help=f"work folder (default {DEFAULT_WORK})")
    parser.add_argument("--python", default=sys.executable, help="the interpreter outplace is installed in")
    parser.add_argument("--baseline", type=Path, help="an outplace source tree to time beside (PYTHONPATH)")
    parser.add_argument("--torchfix-every", type=int, default=20, help="TorchFix runs on 1 file in N (default 20)")
    parser.add_argument("--no-torchfix", action="store_true", help="skip the TorchFix yardstick")
    parser.add_argument("--label", help="the section of results.md to write (default: latest, or quick)")
    parser.add_argument("--output", type=Path, default=HERE / "results.md", help="the Markdown file to write")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    args.label = args.label or ("quick" if args.quick else "latest")
    return args


def main(argv: list[str]) -> None:
    if argv[:1] == ["_parse"]:
        parse_files(argv[1], argv[2])
        return
    args = parse_args(argv)
    tasks = run(args)
    table = render(tasks)
    print(table)
    if args.no_write:
        return
    tf_python = None if args.no_torchfix else torchfix_python(args.work.resolve())
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    scope = "1-in-10 subset (--quick)" if args.quick else "full corpus"
    head = [
        f"## {args.label}: {when}, {scope}, {args.rounds} round{'s' if args.rounds > 1 else ''}",
        "",
        *machine(),
        *versions(args, tf_python),
        f"- command: `python bench/bench.py {' '.join(argv)}`",
        "",
        "",
    ]
    write_results(args.output, args.label, "\n".join(head) + table)


if __name__ == "__main__":
    main(sys.argv[1:])
