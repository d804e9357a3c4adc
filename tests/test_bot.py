"""`outplace bot` against real git (a bare repository as the remote, `main` protected by a
server-side hook, and a smart-HTTP remote that requires the token) and a fake GitHub on 127.0.0.1
that validates every request against GitHub's published OpenAPI description.

Most runs go through the real command line (`python -m fixer bot`); rate-limit waits are checked
in-process, where `sleep` is injected and nothing sleeps.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from fixer.bot import BotOptions, Operation, run_bot
from fixer.bot.body import BODY_LIMIT, RuleFixes, cut, render
from fixer.bot.flow import repo_from_url
from fixer.bot.forge import ForgeError, GitHub
from fixer.bot.git import TRAILER
from fixer.bot.redact import Redactor
from fixer.files.runner import Mode, Options
from fixer.core.types import Finding, Safety, Severity, Span
from tests.fake_github import Failure, FakeGitHub

TOKEN = "ghs_" + secrets.token_hex(18)  # a fresh secret per run: found in output only if leaked
BRANCH = "outplace/fix-inplace"
HUMAN = {"GIT_AUTHOR_NAME": "Ada Human", "GIT_AUTHOR_EMAIL": "ada@example.com",
         "GIT_COMMITTER_NAME": "Ada Human", "GIT_COMMITTER_EMAIL": "ada@example.com"}

MODEL = """\
import torch


def gate(x):
    h = torch.sigmoid(x)
    h += 1
    return h


def scale(x):
    y = torch.exp(x)
    y.mul_(2)
    return y
"""
MODEL_FIXED = MODEL.replace("h += 1", "h = h + 1").replace("y.mul_(2)", "y = y.mul(2)")
LAYER = """\
import torch


def act(x):
    z = torch.tanh(x)
    z *= 3
    return z
"""
CLEAN = "import torch\n\n\ndef f(x):\n    return torch.relu(x) + 1\n"
# Like branch protection: nobody pushes to main unless the test means to.
PROTECT_MAIN = """#!/bin/sh
while read old new ref; do
  if [ "$ref" = refs/heads/main ] && [ -z "$ALLOW_MAIN" ]; then
    echo "main is protected" >&2; exit 1
  fi
done
"""


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **HUMAN, **(env or {})})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@dataclass
class Repo:
    """A bare remote, a person's clone used to change it, and the checkout the bot runs in."""

    remote: Path
    person: Path
    checkout: Path

    def push_main(self, files: dict[str, str], message: str = "change main") -> None:
        git("pull", "--quiet", "origin", "main", cwd=self.person)
        for name, text in files.items():
            (self.person / name).write_text(text)
        git("add", *files, cwd=self.person)
        git("commit", "--quiet", "-m", message, cwd=self.person)
        git("push", "--quiet", "origin", "main", cwd=self.person, env={"ALLOW_MAIN": "1"})

    def branch_tip(self, branch: str = BRANCH) -> str | None:
        out = git("ls-remote", "--heads", str(self.remote), f"refs/heads/{branch}", cwd=self.person)
        return out.split()[0] if out else None

    def log(self, branch: str = BRANCH) -> list[str]:
        return git("log", "--format=%s", f"main..{branch}", cwd=self.remote).splitlines()


def make_repo(tmp_path: Path, files: dict[str, str]) -> Repo:
    remote = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(remote), cwd=tmp_path)
    person = tmp_path / "person"
    git("clone", "--quiet", str(remote), str(person), cwd=tmp_path)
    git("checkout", "--quiet", "-b", "main", cwd=person)
    for name, text in files.items():
        (person / name).write_text(text)
    git("add", ".", cwd=person)
    git("commit", "--quiet", "-m", "initial", cwd=person)
    git("push", "--quiet", "origin", "main", cwd=person)
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(PROTECT_MAIN)
    hook.chmod(0o755)
    checkout = tmp_path / "checkout"
    git("clone", "--quiet", str(remote), str(checkout), cwd=tmp_path)
    return Repo(remote, person, checkout)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return make_repo(tmp_path, {"model.py": MODEL})


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(TOKEN)
    fake.start()
    yield fake
    fake.stop()


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def bot(repo: Repo, github: FakeGitHub, *args: str, env: dict[str, str] | None = None) -> Run:
    """`python -m fixer bot` in the checkout, the token in GITHUB_TOKEN."""
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("GITHUB_", "OUTPLACE_", "GIT_CONFIG"))}
    done = subprocess.run(
        [sys.executable, "-m", "fixer", "bot", "--repo", "octo/demo", "--api-url", github.url, *args],
        cwd=repo.checkout, capture_output=True, text=True, timeout=120,
        env={**base_env, "NO_COLOR": "1", "GITHUB_TOKEN": TOKEN, "PYTHONPATH": str(Path(__file__).parent.parent),
             **(env or {})},
    )
    assert TOKEN not in done.stdout + done.stderr
    return Run(done.returncode, done.stdout, done.stderr)


def has_row(text: str, rule: str, fixes: int, files: int) -> bool:
    """The body's table row for `rule` (its severity depends on the analysis: either is fine here)."""
    name = {"IP101": "augmented-assignment", "IP102": "inplace-method"}[rule]
    return re.search(rf"\| `{rule}` {name} \| {fixes} \| {files} \| (error|warning) \| safe \|", text) is not None


def write_requests(github: FakeGitHub) -> list[str]:
    return [f"{s.method} {s.path.removeprefix(github.prefix)}" for s in github.writes]


# first run, second runs -------------------------------------------------------------------------
def test_first_run_pushes_one_commit_per_rule_and_opens_one_pull_request(repo, github, tmp_path):
    outputs = tmp_path / "github_output"
    run = bot(repo, github, "--label", "autograd", "--label", "bot", "--reviewer", "ada",
              "--reviewer", "octo/ml-team", env={"GITHUB_OUTPUT": str(outputs)})

    assert run.code == 0, run.stderr
    assert "opened pull request #1" in run.stdout
    assert repo.log() == [
        "outplace: IP102 inplace-method: fix 1 in-place write in 1 file",
        "outplace: IP101 augmented-assignment: fix 1 in-place write in 1 file",
    ]
    assert git("show", f"{BRANCH}:model.py", cwd=repo.remote) + "\n" == MODEL_FIXED
    trailers = git("log", "--format=%(trailers:key=" + TRAILER + ",valueonly)", f"main..{BRANCH}", cwd=repo.remote)
    assert trailers.split() == ["IP102", "IP101"]
    assert git("log", "--format=%an <%ae>", "-1", BRANCH, cwd=repo.remote) == \
        "outplace-bot <outplace-bot@users.noreply.github.com>"
    (pull,) = github.open_pulls()
    assert (pull["head"]["ref"], pull["base"]["ref"], pull["draft"]) == (BRANCH, "main", False)
    assert [label["name"] for label in pull["labels"]] == ["autograd", "bot"]
    assert github.reviewers[1] == {"reviewers": ["ada"], "team_reviewers": ["ml-team"]}
    body = pull["body"]
    assert has_row(body, "IP101", 1, 1) and has_row(body, "IP102", 1, 1)
    assert "**IP101 augmented-assignment.** " in body and "$ outplace diff ." in body
    assert "- `model.py`: IP101 ×1, IP102 ×1" in body
    assert write_requests(github) == ["POST /repos/octo/demo/pulls", "POST /repos/octo/demo/issues/1/labels",
                                      "POST /repos/octo/demo/pulls/1/requested_reviewers"]
    assert github.violations == []
    assert outputs.read_text() == (
        "pull-request-operation=created\npull-request-number=1\n"
        "pull-request-url=https://github.example/octo/demo/pull/1\n"
    )
    # the person's checkout is left as it was: the bot works in its own worktree
    assert (repo.checkout / "model.py").read_text() == MODEL
    assert git("status", "--porcelain", cwd=repo.checkout) == ""
    assert git("worktree", "list", "--porcelain", cwd=repo.checkout).count("worktree ") == 1


def test_second_run_with_nothing_new_pushes_nothing_and_sends_no_write(repo, github):
    assert bot(repo, github).code == 0
    tip, writes = repo.branch_tip(), len(github.writes)

    run = bot(repo, github)

    assert run.code == 0, run.stderr
    assert "nothing to push" in run.stdout and "operation: unchanged" in run.stdout
    assert repo.branch_tip() == tip
    assert len(github.writes) == writes
    assert len(github.pulls) == 1 and github.violations == []


def test_second_run_with_new_fixes_updates_the_same_pull_request(repo, github):
    assert bot(repo, github, "--label", "autograd").code == 0
    first_tip = repo.branch_tip()
    repo.push_main({"layer.py": LAYER}, "add a layer")

    run = bot(repo, github, "--label", "autograd")

    assert run.code == 0, run.stderr
    assert "updated pull request #1" in run.stdout
    assert repo.branch_tip() != first_tip
    assert git("merge-base", "--is-ancestor", "main", BRANCH, cwd=repo.remote) == ""  # rebuilt on the new main
    assert len(github.pulls) == 1
    assert "- `layer.py`: IP101 ×1" in github.pulls[1]["body"]
    assert has_row(github.pulls[1]["body"], "IP101", 2, 2)
    assert write_requests(github)[-2:] == ["PATCH /repos/octo/demo/pulls/1", "POST /repos/octo/demo/issues/1/labels"]
    assert [label["name"] for label in github.pulls[1]["labels"]] == ["autograd"]
    assert github.violations == []


def test_already_exists_422_is_an_existing_pull_request_not_a_crash(repo, github):
    assert bot(repo, github).code == 0
    repo.push_main({"layer.py": LAYER})
    github.hide_open_pulls = 1  # the lookup misses the open pull request, as in a race

    run = bot(repo, github)

    assert run.code == 0, run.stderr
    assert "pull request #1 already exists" in run.stdout and "updated pull request #1" in run.stdout
    assert write_requests(github).count("POST /repos/octo/demo/pulls") == 2  # the second one got the 422
    assert len(github.pulls) == 1 and "layer.py" in github.pulls[1]["body"]
    assert github.violations == []


def test_a_persons_commit_on_the_bot_branch_stops_the_bot(repo, github):
    assert bot(repo, github).code == 0
    git("fetch", "--quiet", "origin", cwd=repo.person)
    git("checkout", "--quiet", "-b", "review", f"origin/{BRANCH}", cwd=repo.person)
    (repo.person / "notes.txt").write_text("reviewed\n")
    git("add", "notes.txt", cwd=repo.person)
    git("commit", "--quiet", "-m", "review notes", cwd=repo.person)
    git("push", "--quiet", "origin", f"review:{BRANCH}", cwd=repo.person)
    git("checkout", "--quiet", "main", cwd=repo.person)
    human_tip, writes = repo.branch_tip(), len(github.writes)
    repo.push_main({"layer.py": LAYER})  # new fixes the bot would like to push

    run = bot(repo, github)

    assert run.code == 1
    assert f"stopped: {BRANCH} has a commit the bot did not make" in run.stdout
    assert "by Ada Human <ada@example.com>" in run.stdout
    assert repo.branch_tip() == human_tip
    assert len(github.writes) == writes and github.violations == []


def test_nothing_to_fix_pushes_nothing_and_opens_nothing(tmp_path, github):
    repo = make_repo(tmp_path, {"model.py": CLEAN})

    run = bot(repo, github)

    assert run.code == 0, run.stderr
    assert "nothing to fix on main" in run.stdout and "operation: none" in run.stdout
    assert repo.branch_tip() is None
    assert github.writes == [] and github.pulls == {} and github.violations == []


def test_a_pull_request_whose_fixes_disappeared_is_closed_with_a_comment(repo, github):
    assert bot(repo, github).code == 0
    repo.push_main({"model.py": MODEL_FIXED}, "fix by hand")

    kept = bot(repo, github, "--keep-stale")
    assert kept.code == 0 and github.pulls[1]["state"] == "open"

    run = bot(repo, github)

    assert run.code == 0, run.stderr
    assert "closed pull request #1" in run.stdout
    assert github.pulls[1]["state"] == "closed"
    assert github.comments == [(1, github.comments[0][1])] and "nothing left to fix" in github.comments[0][1]
    assert github.violations == []


# dry run ----------------------------------------------------------------------------------------
def test_dry_run_writes_nothing_remote_and_prints_the_pull_request(repo, github):
    run = bot(repo, github, "--dry-run", "--label", "autograd", "--draft")

    assert run.code == 0, run.stderr
    assert "dry run: would push" in run.stdout
    assert "dry run: would open a pull request:" in run.stdout
    assert "  main <- outplace/fix-inplace" in run.stdout and "labels: autograd" in run.stdout
    assert has_row(run.stdout, "IP101", 1, 1)
    assert repo.branch_tip() is None
    assert github.writes == [] and github.sent  # it looked, and wrote nothing
    assert github.violations == []


def test_dry_run_on_an_open_pull_request_with_new_fixes_would_update_it(repo, github):
    assert bot(repo, github).code == 0
    tip, writes = repo.branch_tip(), len(github.writes)
    repo.push_main({"layer.py": LAYER})

    run = bot(repo, github, "--dry-run")

    assert run.code == 0, run.stderr
    assert "dry run: would update pull request #1" in run.stdout
    assert repo.branch_tip() == tip and len(github.writes) == writes


def offline_dry_run(repo: Repo) -> Run:
    """`bot --dry-run` with no token, its remote and GitHub both unreachable (port 9 refuses connections)."""
    git("remote", "set-url", "origin", "https://127.0.0.1:9/octo/demo.git", cwd=repo.checkout)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "OUTPLACE_", "GIT_CONFIG"))}
    done = subprocess.run(
        [sys.executable, "-m", "fixer", "bot", "--dry-run", "--api-url", "http://127.0.0.1:9"],
        cwd=repo.checkout, capture_output=True, text=True, timeout=120,
        env={**env, "NO_COLOR": "1", "PYTHONPATH": str(Path(__file__).parent.parent)},
    )
    return Run(done.returncode, done.stdout, done.stderr)


def test_dry_run_offline_prints_the_branch_commits_and_diff_and_says_what_it_could_not_look_up(repo):
    run = offline_dry_run(repo)

    assert run.code == 0, run.stdout + run.stderr
    out = run.stdout
    # owner/name from the remote's URL: the lookups name it
    assert "could not ask GitHub for the default branch (GET /repos/octo/demo: ConnectError" in out
    assert "; using main" in out
    assert f"dry run: {BRANCH} would be " in out
    assert "    outplace: IP101 augmented-assignment: fix 1 in-place write in 1 file" in out  # the commit
    assert "--- a/model.py\n+++ b/model.py\n" in out and "-    h += 1\n+    h = h + 1\n" in out  # the diff
    assert f"dry run: could not look up existing pull requests (GET /repos/octo/demo/pulls: ConnectError" in out
    assert "dry run: would open a pull request:" in out
    assert repo.branch_tip() is None


def test_dry_run_offline_without_a_fetched_base_fixes_the_local_branch(repo):
    git("update-ref", "-d", "refs/remotes/origin/main", cwd=repo.checkout)
    git("update-ref", "-d", "refs/remotes/origin/HEAD", cwd=repo.checkout)

    run = offline_dry_run(repo)

    assert run.code == 0, run.stdout + run.stderr
    assert "refs/remotes/origin/main is not there: fixing the local branch main" in run.stdout
    assert "+    h = h + 1" in run.stdout


@pytest.mark.parametrize("url", [
    "https://github.com/octo/demo", "https://github.com/octo/demo.git", "https://github.com/octo/demo/",
    "https://x-access-token:secret@github.com/octo/demo.git", "ssh://git@github.com/octo/demo.git",
    "ssh://git@github.com:22/octo/demo.git", "git@github.com:octo/demo.git", "git@github.com:octo/demo",
    "git://github.com/octo/demo.git", "https://ghe.example.com/octo/demo.git",
])
def test_owner_and_name_come_from_the_usual_remote_url_forms(url):
    assert repo_from_url(url) == "octo/demo"


def test_a_remote_url_without_owner_and_name_asks_for_repo():
    with pytest.raises(ValueError, match="--repo owner/name"):
        repo_from_url("/srv/git/demo.git")


# GitHub's refusals ------------------------------------------------------------------------------
def test_draft_refused_falls_back_to_a_normal_pull_request(repo, github):
    github.drafts_supported = False

    run = bot(repo, github, "--draft")

    assert run.code == 0, run.stderr
    assert "does not accept draft pull requests" in run.stdout
    creates = [s.body for s in github.writes if s.path.endswith("/pulls")]
    assert [c.get("draft") for c in creates] == [True, None]
    assert github.pulls[1]["draft"] is False and len(github.pulls) == 1
    assert github.violations == []


def test_draft_accepted(repo, github):
    run = bot(repo, github, "--draft")
    assert run.code == 0 and "(draft)" in run.stdout and github.pulls[1]["draft"] is True


def test_enterprise_base_url(tmp_path):
    repo = make_repo(tmp_path, {"model.py": MODEL})
    github = FakeGitHub(TOKEN, enterprise=True)
    github.start()
    try:
        run = bot(repo, github)
    finally:
        github.stop()

    assert github.url.endswith("/api/v3")
    assert run.code == 0, run.stderr
    assert "opened pull request #1" in run.stdout
    assert {s.path.split("/repos/")[0] for s in github.sent} == {"/api/v3"}
    assert github.violations == []


def test_an_api_error_is_one_clear_line(repo, github):
    github.failures.append(Failure("POST", "/repos/octo/demo/pulls", 403,
                                   {"message": "Resource not accessible by integration"}))

    run = bot(repo, github)

    assert run.code == 2
    assert run.stderr == ("error: GitHub answered 403 to POST /repos/octo/demo/pulls: "
                          "Resource not accessible by integration\n")


def test_no_token_is_a_usage_error(repo, github):
    run = bot(repo, github, env={"GITHUB_TOKEN": ""})
    assert run.code == 2 and "GITHUB_TOKEN or OUTPLACE_TOKEN" in run.stderr and github.sent == []


# rate limits (in-process: `sleep` is injected) ---------------------------------------------------
def run_in_process(repo: Repo, github: FakeGitHub, waits: list[float], **options: object):
    out = io.StringIO()
    result = run_bot(
        BotOptions(repo="octo/demo", api_url=github.url, **options),  # type: ignore[arg-type]
        token=TOKEN, fixer_options=lambda paths: Options(mode=Mode.FIX, jobs=1), out=out,
        cwd=repo.checkout, sleep=waits.append, environ={},
    )
    assert TOKEN not in out.getvalue()
    return result, out.getvalue()


def test_secondary_limit_403_and_429_honour_retry_after_then_succeed(repo, github):
    github.failures += [
        Failure("GET", "/repos/octo/demo/pulls", 429, {"message": "Too many requests"}, {"Retry-After": "3"}),
        Failure("POST", "/repos/octo/demo/pulls", 403,
                {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."},
                {"Retry-After": "7"}),
    ]
    waits: list[float] = []

    result, _ = run_in_process(repo, github, waits)

    assert result.operation is Operation.CREATED and result.number == 1
    assert waits == [3.0, 7.0]
    assert len(github.pulls) == 1 and github.violations == []


def test_rate_limit_retries_are_bounded_then_fail_clearly(repo, github):
    github.failures.append(Failure("POST", "/repos/octo/demo/pulls", 403,
                                   {"message": "You have exceeded a secondary rate limit."},
                                   {"Retry-After": "5"}, times=100))
    waits: list[float] = []

    with pytest.raises(ForgeError) as caught:
        run_in_process(repo, github, waits)

    assert waits == [5.0, 5.0, 5.0]
    assert "still rate-limited after 3 retries, giving up" in str(caught.value)
    assert "secondary rate limit" in str(caught.value)
    assert github.pulls == {}


def test_primary_limit_waits_until_the_reset_time_and_secondary_without_header_backs_off(github):
    github.failures += [
        Failure("GET", "/repos/octo/demo", 403, {"message": "API rate limit exceeded for installation."},
                {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000042"}),
        Failure("GET", "/repos/octo/demo", 403, {"message": "You have exceeded a secondary rate limit."}),
        Failure("GET", "/repos/octo/demo", 403, {"message": "You have exceeded a secondary rate limit."}),
    ]
    waits: list[float] = []
    client = GitHub(github.url, "octo/demo", TOKEN, redact=Redactor(TOKEN), sleep=waits.append,
                    clock=lambda: 1000000.0)

    assert client.default_branch() == "main"
    assert waits == [43.0, 120.0, 240.0]


def test_a_plain_403_is_not_retried(github):
    github.failures.append(Failure("GET", "/repos/octo/demo", 403, {"message": "Must have admin rights"}))
    waits: list[float] = []
    client = GitHub(github.url, "octo/demo", TOKEN, redact=Redactor(TOKEN), sleep=waits.append)

    with pytest.raises(ForgeError, match="Must have admin rights"):
        client.default_branch()
    assert waits == []


# the token --------------------------------------------------------------------------------------
class GitOverHttp:
    """`git http-backend` behind a WSGI server that wants HTTP basic auth with the token."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.backend = Path(subprocess.run(["git", "--exec-path"], capture_output=True, text=True).stdout.strip()) / "git-http-backend"
        self.seen_auth: list[str] = []
        self.server = make_server("127.0.0.1", 0, self.app, handler_class=_Quiet)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/{name}"

    def app(self, environ, start_response):  # type: ignore[no-untyped-def]
        import base64

        auth = environ.get("HTTP_AUTHORIZATION", "")
        self.seen_auth.append(auth.split(" ")[0])
        expected = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
        if auth != expected:
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="git"')])
            return [b""]
        env = {k: v for k, v in environ.items() if isinstance(v, str)}
        env.update(GIT_PROJECT_ROOT=str(self.root), GIT_HTTP_EXPORT_ALL="1", REMOTE_USER="bot", PATH=os.environ["PATH"])
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        out = subprocess.run([str(self.backend)], input=body, env=env, capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        headers, status = [], "200 OK"
        for line in head.decode().split("\r\n"):
            key, _, value = line.partition(": ")
            if key.lower() == "status":
                status = value
            elif key:
                headers.append((key, value))
        start_response(status, headers)
        return [payload]

    def stop(self) -> None:
        self.server.shutdown()


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def test_the_token_never_appears_in_output_git_config_or_errors(repo, github):
    http = GitOverHttp(repo.remote.parent)
    try:
        git("remote", "set-url", "origin", http.url(repo.remote.name), cwd=repo.checkout)
        github.failures.append(Failure("POST", "/repos/octo/demo/pulls", 403,
                                       {"message": "You have exceeded a secondary rate limit."},
                                       {"Retry-After": "0"}))

        first = bot(repo, github, "--label", "autograd")  # `bot` asserts TOKEN is not in the output
        git_config = (repo.checkout / ".git" / "config").read_text()
        # a remote URL with the token written into it: git's own error message names the URL
        git("remote", "set-url", "origin",
            http.url("missing.git").replace("http://", f"http://x-access-token:{TOKEN}@"), cwd=repo.checkout)
        failed = bot(repo, github)
    finally:
        http.stop()

    assert first.code == 0, first.stderr
    assert "opened pull request #1" in first.stdout and repo.branch_tip() is not None
    assert "Basic" in http.seen_auth  # the push and fetch went through the credential helper
    assert TOKEN not in git_config
    assert failed.code == 2 and failed.stderr.startswith("error: git ")
    assert "missing.git" in failed.stderr  # git names the URL (without its credentials)
    assert all(TOKEN not in str(s.body) for s in github.sent)


def test_redactor_masks_secrets_and_url_credentials():
    redact = Redactor("s3cret-token")
    assert redact("push to https://me:s3cret-token@host/r.git failed: s3cret-token") == \
        "push to https://***@host/r.git failed: ***"


# the body ---------------------------------------------------------------------------------------
def finding(path: str, line: int) -> Finding:
    return Finding("IP101", "augmented-assignment", path, Span(line, 4, line, 10), Severity.WARNING,
                   "`h +=` writes the tensor `h` in place", "Why it matters.", "Rewrite", Safety.SAFE,
                   "h = h + 1", "h += 1")


def test_a_long_body_is_cut_under_githubs_limit_at_a_line_boundary():
    paths = [f"pkg/module_{i:05d}_with_a_rather_long_name.py" for i in range(3000)]
    rules = [RuleFixes("IP101", "augmented-assignment", "Why it matters.",
                       tuple(finding(p, 3) for p in paths), tuple(paths))]

    body = render(rules, "outplace diff .")

    assert 60_000 < len(body) <= BODY_LIMIT < 65_536
    assert "$ outplace diff ." in body and "**IP101 augmented-assignment.** Why it matters." in body
    assert body.endswith("cut to stay under GitHub's 65,536-character limit: run the command above for the full diff.\n")
    kept = body.split("\n… ")[0].splitlines()
    assert kept[-1].startswith("- `pkg/module_") and kept[-1].endswith("IP101 ×1")  # whole lines only


def test_a_short_body_is_not_cut():
    assert cut("a\nb\n", limit=10) == "a\nb\n"


def test_the_table_counts_mixed_severities():
    fixed = (finding("a.py", 1), finding("a.py", 2), replace(finding("b.py", 1), severity=Severity.ERROR))
    body = render([RuleFixes("IP101", "augmented-assignment", "Why.", fixed, ("a.py", "b.py"))], "outplace diff .",
                  remaining=2)
    assert "| `IP101` augmented-assignment | 3 | 2 | 2 warning, 1 error | safe |" in body
    assert "- `a.py`: IP101 ×2" in body and "- `b.py`: IP101 ×1" in body
    assert "Not fixed here: 2 findings whose fix is unsafe or display-only" in body


# shallow checkouts, leases, logs ----------------------------------------------------------------
def test_works_in_a_shallow_checkout_like_actions_checkout_makes(repo, github, tmp_path):
    assert bot(repo, github).code == 0
    repo.push_main({"layer.py": LAYER})
    shallow = tmp_path / "shallow"
    git("clone", "--quiet", "--depth", "1", f"file://{repo.remote}", str(shallow), cwd=tmp_path)

    run = bot(Repo(repo.remote, repo.person, shallow), github)

    assert run.code == 0, run.stderr
    assert "updated pull request #1" in run.stdout and len(github.pulls) == 1


def test_a_lost_lease_pushes_nothing(repo, tmp_path):
    from fixer.bot.flow import DEFAULT_IDENTITY
    from fixer.bot.git import Git

    client = Git(repo.checkout, token=None, redact=Redactor(), identity=DEFAULT_IDENTITY)
    main = git("rev-parse", "HEAD", cwd=repo.checkout)
    assert client.push("origin", main, BRANCH, None) is True
    git("commit", "--quiet", "--allow-empty", "-m", "someone else's", cwd=repo.person)
    git("push", "--quiet", "origin", f"HEAD:refs/heads/{BRANCH}", cwd=repo.person)
    theirs = repo.branch_tip()

    assert client.push("origin", main, BRANCH, main) is False  # expected main, found theirs
    assert client.push("origin", main, BRANCH, None) is False  # expected no branch
    assert repo.branch_tip() == theirs


def test_the_token_is_not_in_debug_logs(repo, github, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    result, _ = run_in_process(repo, github, [])

    assert result.operation is Operation.CREATED
    assert caplog.records and TOKEN not in caplog.text


def test_the_bot_never_imports_libcst():
    code = ("import sys, fixer.bot, fixer.bot.entry, fixer.bot.body, fixer.bot.forge, fixer.bot.git; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('libcst', 'codemods')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parent.parent)
    assert done.stdout.strip() == "[]"


def test_a_pull_request_a_person_closed_is_not_opened_again_until_the_fixes_change(repo, github):
    github.remote = repo.remote
    assert bot(repo, github).code == 0
    github.pulls[1]["state"] = "closed"  # a person closed it without merging

    again = bot(repo, github)

    assert again.code == 0, again.stderr
    assert "pull request #1 with these fixes was closed without merging" in again.stdout
    assert github.open_pulls() == []
    repo.push_main({"layer.py": LAYER})

    changed = bot(repo, github)

    assert "opened pull request #2" in changed.stdout and len(github.open_pulls()) == 1
    assert github.violations == []
