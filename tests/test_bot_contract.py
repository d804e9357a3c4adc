"""Contract test: every request the bot's GitHub client can send, through Stoplight Prism serving
the cut of GitHub's OpenAPI description (api.github.com and Enterprise Server 3.19 under /api/v3).

Prism 5.14.2 is installed on first use with `npm ci` in tools/github-mock (pinned by its lock file);
where npm is missing or fails, these tests are skipped (and say so), never counted as passing. Prism's answers are GitHub's static examples,
so this checks the requests, not the bot's behaviour (tests/test_bot.py does that).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fixer.bot.forge import GitHub
from fixer.bot.redact import Redactor

ROOT = Path(__file__).resolve().parent.parent
PRISM = ROOT / "tools" / "github-mock" / "node_modules" / ".bin" / "prism"
DATA = ROOT / "tests" / "data"
TOKEN = "ghs_contract_test_token"



def prism_installed() -> bool:
    """Install Prism from the npm registry when it is not there yet (the README's test command needs no extra step)."""
    if not PRISM.exists() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=PRISM.parents[2], check=False)
    return PRISM.exists()


pytestmark = pytest.mark.skipif(not prism_installed(), reason="Prism could not be installed: npm is missing or `npm ci` failed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_prism(spec: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    with log.open("wb") as out:  # a direct child (no shell, no npx): terminating it stops node
        proc = subprocess.Popen([str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)],
                                stdout=out, stderr=subprocess.STDOUT)
    return proc, port


def wait_until_answers(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"prism exited: {log.read_text()[-2000:]}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.3)
    raise RuntimeError("prism did not start in 90 s")


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    logs = tmp_path_factory.mktemp("prism")
    servers = {
        "github": (*start_prism(DATA / "github-pr-subset.json", logs / "github.log"), ""),
        "ghes": (*start_prism(DATA / "ghes-pr-subset.json", logs / "ghes.log"), "/api/v3"),
    }
    try:
        urls = {}
        for name, (proc, port, prefix) in servers.items():
            wait_until_answers(f"http://127.0.0.1:{port}", proc, logs / f"{name}.log")
            urls[name] = f"http://127.0.0.1:{port}{prefix}"
        yield urls
    finally:
        for proc, _, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=10)


class Recording(httpx.HTTPTransport):
    """Keeps each request with Prism's verdict on it (the `sl-violations` header)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, int, list[dict[str, object]]]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        violations = json.loads(response.headers.get("sl-violations", "[]"))
        self.seen.append((f"{request.method} {request.url.path}", response.status_code, violations))
        return response


def every_call(client: GitHub) -> None:
    """Each request the bot makes, with the arguments the bot passes."""
    client.default_branch()
    client.open_pull("outplace/fix-inplace")
    pull = client.create_pull(title="Rewrite", body="body", head="outplace/fix-inplace", base="main", draft=True)
    client.create_pull(title="Rewrite", body="body", head="outplace/fix-inplace", base="main", draft=False)
    client.update_pull(pull.number, title="Rewrite", body="new body", base="main")
    client.add_labels(pull.number, ["autograd", "bot"])
    client.request_reviewers(pull.number, ["ada", "octo/ml-team"])
    client.comment(pull.number, "nothing left to fix")
    client.update_pull(pull.number, state="closed")


@pytest.mark.parametrize("server", ["github", "ghes"])
def test_every_request_the_bot_sends_satisfies_githubs_description(prism, server):
    transport = Recording()
    client = GitHub(prism[server], "octo/demo", TOKEN, redact=Redactor(TOKEN), transport=transport)

    every_call(client)

    assert len(transport.seen) == 9
    problems = [(call, status, [v for v in violations if v["location"][0] == "request"])
                for call, status, violations in transport.seen]
    assert [p for p in problems if p[1] >= 400 or p[2]] == []


def test_prism_rejects_what_github_would(prism):
    """The check above can fail: a create without `head`, and `draft` on an update, are refused."""
    headers = {"Accept": "application/vnd.github+json"}
    missing_head = httpx.post(f"{prism['github']}/repos/octo/demo/pulls", headers=headers,
                              json={"title": "t", "base": "main"})
    draft_on_update = httpx.patch(f"{prism['github']}/repos/octo/demo/pulls/1", headers=headers,
                                  json={"draft": False})

    assert missing_head.status_code == 422 and "head" in missing_head.headers["sl-violations"]
    assert draft_on_update.status_code == 422 and "draft" in draft_on_update.headers["sl-violations"]
