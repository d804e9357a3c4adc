"""Time from an edit to its diagnostics in `outplace server`, warm, beside `outplace check` of the same file.

Usage: python bench/lsp_latency.py [--edits N] [--file PATH] [--lines L] [--corpus TIMM] [--pause S] [--check-runs N]

Without --file, the model file is built from real model code: the top-level classes and functions
of timm's models (/work/corpus/timm, or --corpus), in file order, until it has --lines lines. The
server is started as an editor would (`python -m fixer server`), the file opened (the cold check),
then edited N times, alternating between the file and the file with a risky function inserted in
its middle, a new one each time (so the diagnostics change each time, and the edited code is new), each edit after a pause longer than the server's
debounce window, as a single edit is typed; the time is from writing `didChange` to reading the
`publishDiagnostics` of that version. `outplace check` is timed as a whole process (--no-cache).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEADER = "import math\n\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\n"
RISKY = "def gate(x):\n    h = torch.sigmoid(x)\n    h.mul_({})\n    return h\n\n\n"  # a new constant each edit: re-parsed, as typed


def model_file(corpus: Path, lines: int) -> str:
    """Top-level classes and defs of timm's model files, in order, until the text has `lines` lines."""
    parts = [HEADER]
    total = HEADER.count("\n")
    for path in sorted((corpus / "timm" / "models").glob("*.py")):
        text = path.read_text()
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in tree.body:
            if not isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                continue
            code = "\n".join(text.splitlines()[node.lineno - 1 - len(node.decorator_list): node.end_lineno]) + "\n\n\n"
            if total + code.count("\n") > lines + 10:
                continue  # a smaller one further on lands closer to `lines`
            parts.append(code)
            total += code.count("\n")
            if total >= lines:
                return "".join(parts)
    return "".join(parts)


class Client:
    """The least of an LSP client: JSON-RPC messages over the server's standard input and output."""

    def __init__(self, command: list[str], cwd: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=cwd, env=env)
        self.next_id = 0

    def send(self, method: str, params: object, request: bool = False) -> int | None:
        message: dict[str, object] = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()
        return self.next_id if request else None

    def receive(self) -> dict:
        assert self.process.stdout is not None
        length = 0
        while (line := self.process.stdout.readline().strip()):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def wait(self, predicate) -> dict:  # type: ignore[no-untyped-def]
        while True:
            message = self.receive()
            if message.get("method") in ("client/registerCapability", "workspace/configuration") and "id" in message:
                self.reply(message["id"])
            if predicate(message):
                return message

    def reply(self, message_id: object) -> None:
        body = json.dumps({"jsonrpc": "2.0", "id": message_id, "result": None}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()


def diagnostics_of(uri: str, version: int):  # type: ignore[no-untyped-def]
    return lambda m: (m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
                      and m["params"].get("version") == version)


def server_latency(path: Path, text: str, edits: int, pause: float) -> tuple[float, list[float], list[int]]:
    """The cold check's time, each edit's time to diagnostics (seconds), and the diagnostics counts."""
    client = Client([sys.executable, "-m", "fixer", "server"], str(path.parent))
    uri = path.as_uri()
    asked = client.send("initialize", {"processId": os.getpid(), "rootUri": path.parent.as_uri(), "capabilities": {}}, request=True)
    client.wait(lambda m: m.get("id") == asked)
    client.send("initialized", {})
    start = time.perf_counter()
    client.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}})
    client.wait(diagnostics_of(uri, 1))
    cold = time.perf_counter() - start
    lines = text.splitlines(keepends=True)
    middle = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].startswith(("class ", "def ")))
    times, counts = [], []
    for version in range(2, edits + 2):
        time.sleep(pause)
        new = "".join(lines[:middle]) + RISKY.format(version) + "".join(lines[middle:]) if version % 2 == 0 else text
        start = time.perf_counter()
        client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [{"text": new}]})
        message = client.wait(diagnostics_of(uri, version))
        times.append(time.perf_counter() - start)
        counts.append(len(message["params"]["diagnostics"]))
    done = client.send("shutdown", None, request=True)
    client.wait(lambda m: m.get("id") == done)
    client.send("exit", None)
    client.process.wait(10)
    return cold, times, counts


def check_time(path: Path, runs: int) -> list[float]:
    """Wall time of `outplace check --no-cache FILE` as a whole process."""
    times = []
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "fixer", "check", "--no-cache", "-q", path.name], cwd=path.parent, env=env,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--file", type=Path, help="a model file to edit instead of the built one")
    parser.add_argument("--corpus", type=Path, default=Path("/work/corpus/timm"))
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between edits (more than the debounce window)")
    parser.add_argument("--check-runs", type=int, default=5, help="how many times `outplace check` is timed")
    args = parser.parse_args()
    text = args.file.read_text() if args.file else model_file(args.corpus, args.lines)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.py"
        path.write_text(text)
        cold, times, counts = server_latency(path, text, args.edits, args.pause)
        checks = check_time(path, args.check_runs)
    ms = [t * 1000 for t in times]
    print(f"file: {args.file or 'built from ' + str(args.corpus / 'timm/models')}, {text.count(chr(10))} lines")
    print(f"server, open (cold): {cold * 1000:.0f} ms")
    print(f"server, edit -> diagnostics, warm: median {statistics.median(ms):.1f} ms, "
          f"min {min(ms):.1f}, max {max(ms):.1f} over {len(ms)} edits (diagnostics per version: {sorted(set(counts))})")
    print(f"outplace check FILE (whole process): median {statistics.median(checks) * 1000:.0f} ms over {len(checks)} runs")


if __name__ == "__main__":
    main()
