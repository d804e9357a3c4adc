"""Running git for the bot: in a separate worktree, with the token handed over by a credential
helper that reads it from the environment, so it is never on a command line, in a URL, in the
repository's configuration or in git's messages (which are scrubbed all the same)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fixer.bot.redact import Redactor

TOKEN_VARIABLE = "OUTPLACE_GIT_PASSWORD"
# Only the variable's name is in the helper; git runs it through the shell, which expands it.
CREDENTIAL_HELPER = (
    '!f() { test "$1" = get || return 0; echo username=x-access-token; '
    f'echo "password=${TOKEN_VARIABLE}"; }}; f'
)
# Commits the bot makes carry this trailer; any other commit on its branch is a person's.
TRAILER = "Outplace-Rule"


class GitError(Exception):
    """A git command failed; the message is already scrubbed of secrets."""


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    email: str

    @classmethod
    def parse(cls, text: str) -> Identity:
        """`Name <email>`."""
        name, _, rest = text.partition("<")
        if not rest.endswith(">") or not name.strip():
            raise ValueError(f"expected `Name <email>`, got {text!r}")
        return cls(name.strip(), rest[:-1].strip())


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    author: str
    committer_email: str
    message: str

    def by_bot(self, identity: Identity) -> bool:
        """Made by the bot: its committer and its trailer (a person's amend changes the committer)."""
        trailers = [line.partition(":")[0] for line in self.message.splitlines()]
        return self.committer_email == identity.email and TRAILER in trailers


def auth_env(token: str | None, base: Mapping[str, str]) -> dict[str, str]:
    """`base` plus a credential helper giving `token` to git, appended to GIT_CONFIG_* entries."""
    env = {**base, "GIT_TERMINAL_PROMPT": "0"}
    if not token:
        return env
    count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
    # An empty helper first: no helper configured elsewhere is asked, or told about failures.
    for i, value in enumerate(("", CREDENTIAL_HELPER), start=count):
        env[f"GIT_CONFIG_KEY_{i}"] = "credential.helper"
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    env["GIT_CONFIG_COUNT"] = str(count + 2)
    env[TOKEN_VARIABLE] = token
    return env


class Git:
    """git commands in `cwd`; every failure is a `GitError` with secrets removed."""

    def __init__(self, cwd: Path, *, token: str | None, redact: Redactor, identity: Identity) -> None:
        self.cwd = cwd
        self.redact = redact
        self.identity = identity
        self._auth = auth_env(token, os.environ)
        self._plain = auth_env(None, os.environ)

    def run(self, *args: str, remote: bool = False, cwd: Path | None = None, check: bool = True) -> str:
        """git `args`'s standard output; `remote` commands get the credential helper."""
        done = self._exec(args, remote=remote, cwd=cwd)
        if check and done.returncode != 0:
            raise self._error(args, done)
        return done.stdout

    def _exec(self, args: Sequence[str], *, remote: bool, cwd: Path | None) -> subprocess.CompletedProcess[str]:
        env = dict(self._auth if remote else self._plain)
        env.update(
            GIT_AUTHOR_NAME=self.identity.name, GIT_AUTHOR_EMAIL=self.identity.email,
            GIT_COMMITTER_NAME=self.identity.name, GIT_COMMITTER_EMAIL=self.identity.email,
        )
        return subprocess.run(
            ["git", *args], cwd=cwd or self.cwd, env=env, capture_output=True, text=True,
            errors="replace", stdin=subprocess.DEVNULL,
        )

    def _error(self, args: Sequence[str], done: subprocess.CompletedProcess[str]) -> GitError:
        detail = self.redact((done.stderr.strip() or done.stdout.strip()).replace("\n", " | "))
        return GitError(f"git {args[0]} failed (exit {done.returncode}): {detail}")

    def toplevel(self) -> Path:
        return Path(self.run("rev-parse", "--show-toplevel").strip())

    def remote_url(self, remote: str) -> str:
        return self.run("remote", "get-url", remote).strip()

    def remote_head(self, remote: str, branch: str) -> str | None:
        """The commit `branch` points to on `remote`, or None when it does not exist there."""
        out = self.run("ls-remote", "--heads", remote, f"refs/heads/{branch}", remote=True)
        return out.split()[0] if out.strip() else None

    def fetch(self, remote: str, branches: Sequence[str]) -> None:
        """Fetch `branches` into refs/remotes/<remote>/."""
        specs = [f"+refs/heads/{b}:refs/remotes/{remote}/{b}" for b in branches]
        self.run("fetch", "--no-tags", "--quiet", remote, *specs, remote=True)

    def first_parents(self, tip: str, limit: int) -> list[Commit]:
        """`tip` and its first parents, newest first, at most `limit` of them."""
        out = self.run("log", "--first-parent", f"-{limit}", "--format=%H%x1f%an <%ae>%x1f%ce%x1f%B%x1e", tip)
        commits = []
        for record in out.split("\x1e"):
            if record.strip():
                sha, author, committer, message = record.strip("\n").split("\x1f", 3)
                commits.append(Commit(sha, author, committer, message))
        return commits

    def is_ancestor(self, commit: str, of: str) -> bool:
        return self._exec(("merge-base", "--is-ancestor", commit, of), remote=False, cwd=None).returncode == 0

    def deepen(self, remote: str, branch: str, by: int = 256) -> bool:
        """Fetch `by` more commits of `branch` in a shallow clone; False when the clone is complete."""
        if self.run("rev-parse", "--is-shallow-repository").strip() != "true":
            return False
        spec = f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}"
        self.run("fetch", "--no-tags", "--quiet", f"--deepen={by}", remote, spec, remote=True)
        return True

    def resolve(self, ref: str) -> str | None:
        """The commit `ref` names here, or None when there is none."""
        done = self._exec(("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"), remote=False, cwd=None)
        return done.stdout.strip() if done.returncode == 0 else None

    def local_default_branch(self, remote: str) -> str:
        """The remote's default branch as last fetched (`<remote>/HEAD`), else the checked-out branch."""
        done = self._exec(("symbolic-ref", "--short", f"refs/remotes/{remote}/HEAD"), remote=False, cwd=None)
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip().removeprefix(f"{remote}/")
        return self.run("rev-parse", "--abbrev-ref", "HEAD").strip()

    def tree(self, rev: str) -> str:
        return self.run("rev-parse", f"{rev}^{{tree}}").strip()

    def rev(self, rev: str, cwd: Path | None = None) -> str:
        return self.run("rev-parse", rev, cwd=cwd).strip()

    def add_worktree(self, path: Path, rev: str) -> None:
        self.run("worktree", "add", "--quiet", "--detach", str(path), rev)

    def remove_worktree(self, path: Path) -> None:
        self.run("worktree", "remove", "--force", str(path), check=False)

    def commit_all(self, worktree: Path, files: Sequence[str], message: str) -> str:
        """Commit `files` (relative to `worktree`) with `message`; the new commit's sha."""
        self.run("add", "--", *files, cwd=worktree)
        self.run("commit", "--quiet", "--no-verify", "-m", message, cwd=worktree)
        return self.rev("HEAD", cwd=worktree)

    def push(self, remote: str, commit: str, branch: str, expected: str | None) -> bool:
        """Push `commit` to `branch` if the branch is still at `expected` (None: absent there).

        False when the lease no longer holds (someone pushed meanwhile): nothing was overwritten.
        """
        args = ("push", "--porcelain", f"--force-with-lease=refs/heads/{branch}:{expected or ''}",
                remote, f"{commit}:refs/heads/{branch}")
        done = self._exec(args, remote=True, cwd=None)
        if done.returncode == 0:
            return True
        # --porcelain prints one line per ref; "!" with "stale info" / "fetch first" is a lost lease.
        for line in done.stdout.splitlines():
            if line.startswith("!") and ("stale info" in line or "fetch first" in line):
                return False
        raise self._error(args, done)
