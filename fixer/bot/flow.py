"""What the bot does, in order: check the branch is still its own, commit one rule at a time in a
separate worktree, push with a lease, then open, update or close the one pull request.

Exit codes (see `BotResult.exit_code`): 0 done (including nothing to do), 1 stopped because the
branch holds commits that are not the bot's or moved while it ran, 2 an error.
"""

from __future__ import annotations

import enum
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO, TypeVar

from fixer.bot.body import DEFAULT_TITLE, RuleFixes, commit_message, plural, render
from fixer.bot.forge import ForgeError, GitHub, PullRequest
from fixer.bot.git import TRAILER, Git, GitError, Identity
from fixer.bot.redact import Redactor
from fixer.core.types import Mode, Options

T = TypeVar("T")
DEFAULT_BRANCH = "outplace/fix-inplace"
DEFAULT_IDENTITY = Identity("outplace-bot", "outplace-bot@users.noreply.github.com")
DEFAULT_API_URL = "https://api.github.com"
MAX_BOT_COMMITS = 100  # one per rule: far more than there are rules
CLOSE_COMMENT = (
    "outplace finds nothing left to fix on `{base}`: the in-place writes this pull request rewrote "
    "are gone. Closing it; the bot opens a new one if they come back."
)


class Operation(str, enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # the branch and the pull request already hold these fixes
    CLOSED = "closed"  # nothing left to fix: the open pull request was closed
    NONE = "none"  # nothing to fix and no pull request
    BLOCKED = "blocked"  # the branch is not the bot's alone: left alone


@dataclass(frozen=True, slots=True)
class BotOptions:
    paths: tuple[str, ...] = (".",)
    repo: str | None = None  # owner/name
    api_url: str | None = None
    base: str | None = None  # default: the repository's default branch
    branch: str = DEFAULT_BRANCH
    title: str = DEFAULT_TITLE
    labels: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    draft: bool = False
    dry_run: bool = False
    close_stale: bool = True
    remote: str = "origin"
    identity: Identity = DEFAULT_IDENTITY
    reproduce: str = "outplace diff ."  # the command the body tells people to run


@dataclass(slots=True)
class BotResult:
    operation: Operation
    dry_run: bool = False
    number: int | None = None
    url: str | None = None
    commits: int = 0
    pushed: bool = False
    rules: list[RuleFixes] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.operation is Operation.BLOCKED else 0


def run_bot(
    options: BotOptions,
    *,
    token: str | None,
    fixer_options: Callable[[list[str]], Options],
    out: TextIO,
    cwd: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
    environ: dict[str, str] | None = None,
) -> BotResult:
    """Run the bot in the git checkout `cwd`; `fixer_options(paths)` builds the runner's options
    (flags and `[tool.outplace]`) for paths inside the worktree. Raises GitError / ForgeError."""
    env = dict(os.environ if environ is None else environ)
    redact = Redactor(token)
    git = Git(cwd or Path.cwd(), token=token, redact=redact, identity=options.identity)
    git.toplevel()  # fails unless `cwd` is in a git checkout
    repo = options.repo or env.get("GITHUB_REPOSITORY") or repo_from_url(git.remote_url(options.remote))
    api_url = options.api_url or env.get("GITHUB_API_URL") or DEFAULT_API_URL
    forge = GitHub(api_url, repo, token, redact=redact, read_only=options.dry_run, sleep=sleep)
    say = _Say(out, redact)
    try:
        return _Run(options, git, forge, say, fixer_options).run()
    finally:
        forge.close()


class _Say:
    """Prints one line per step; secrets scrubbed, dry runs marked."""

    def __init__(self, out: TextIO, redact: Redactor) -> None:
        self.out, self.redact = out, redact

    def __call__(self, text: str) -> None:
        self.out.write(self.redact(text) + "\n")
        self.out.flush()

    def would(self, text: str) -> None:
        self(f"dry run: would {text}")


@dataclass
class _Run:
    options: BotOptions
    git: Git
    forge: GitHub
    say: _Say
    fixer_options: Callable[[list[str]], Options]

    def run(self) -> BotResult:
        o = self.options
        base = o.base or self._best_effort(
            "ask GitHub for the default branch", self.forge.default_branch,
            lambda: self.git.local_default_branch(o.remote), "using {}")
        remote_tip = self._best_effort(
            f"look up {o.branch} on {o.remote}", lambda: self.git.remote_head(o.remote, o.branch),
            lambda: self.git.resolve(f"refs/remotes/{o.remote}/{o.branch}"), "taking its last fetched copy: {}")
        self._best_effort(
            f"fetch from {o.remote}", lambda: self.git.fetch(o.remote, [base, o.branch] if remote_tip else [base]),
            lambda: None, "using what was fetched before")
        base_ref = self._base_ref(base)
        if remote_tip and (blocked := self._not_ours(base, remote_tip)):
            return blocked
        with _worktree(self.git, base_ref) as worktree:
            rules, remaining = self._commit_fixes(worktree)
            if not rules:
                return self._nothing_to_fix(base)
            tip = self.git.rev("HEAD", cwd=worktree)
            result = BotResult(Operation.UNCHANGED, o.dry_run, commits=len(rules), rules=rules)
            self.say(f"{plural(len(rules), 'commit')} on top of {base}: " + ", ".join(
                f"{r.rule_id} ({plural(r.count, 'fix', 'fixes')})" for r in rules))
            if o.dry_run:
                self._show(base_ref, tip)
            if remote_tip and self.git.tree(tip) == self.git.tree(remote_tip):
                self.say(f"{o.branch} already holds these fixes: nothing to push")
            elif o.dry_run:
                self.say.would(f"push {tip[:12]} to {o.branch} (--force-with-lease, "
                               f"expecting {remote_tip[:12] if remote_tip else 'no branch'})")
                result.pushed = True
            elif not self.git.push(o.remote, tip, o.branch, remote_tip):
                self.say(f"stopped: {o.branch} changed on {o.remote} while the bot ran; nothing was "
                         "overwritten. Run the bot again.")
                return BotResult(Operation.BLOCKED)
            else:
                self.say(f"pushed {tip[:12]} to {o.branch}")
                result.pushed = True
            body = render(rules, o.reproduce, remaining)
            return self._open_or_update(result, base, body, remote_tip)

    def _best_effort(self, what: str, call: Callable[[], T], fallback: Callable[[], T], instead: str) -> T:
        """`call()`; in a dry run, when it fails (offline, no token), says so and takes `fallback()`."""
        if not self.options.dry_run:
            return call()
        try:
            return call()
        except (ForgeError, GitError) as error:
            value = fallback()
            self.say(f"dry run: could not {what} ({error}); " + instead.format(value or "none"))
            return value

    def _base_ref(self, base: str) -> str:
        """The fetched base branch; a dry run that could not fetch it falls back on the local branch."""
        fetched = f"refs/remotes/{self.options.remote}/{base}"
        if not self.options.dry_run or self.git.resolve(fetched):
            return fetched
        local = f"refs/heads/{base}"
        if self.git.resolve(local):
            self.say(f"dry run: {fetched} is not there: fixing the local branch {base}")
            return local
        raise GitError(f"neither {fetched} nor a local branch {base} exists: pass --base")

    def _show(self, base_ref: str, tip: str) -> None:
        """What a dry run would push: the branch, its commits and their diff."""
        base = self.git.rev(base_ref)
        self.say(f"dry run: {self.options.branch} would be {tip[:12]}, with these commits on top of {base[:12]}:")
        self.say(self.git.run("log", "--reverse", "--no-decorate", "--no-color", f"{base}..{tip}").rstrip())
        self.say("dry run: the diff it would push:")
        self.say(self.git.run("diff", "--no-color", base, tip).rstrip())

    # steps ------------------------------------------------------------------------------------
    def _not_ours(self, base: str, remote_tip: str) -> BotResult | None:
        """A BLOCKED result when the bot branch holds a commit the bot did not make.

        The bot's commits sit in a row on top of a commit of the base branch: below the newest
        commit that is not the bot's must lie the base's history, or someone else committed.
        """
        o = self.options
        chain = self.git.first_parents(remote_tip, MAX_BOT_COMMITS + 1)
        below = next((c for c in chain if not c.by_bot(o.identity)), None)
        base_ref = f"refs/remotes/{o.remote}/{base}"
        # A shallow clone (actions/checkout's default) may not reach that far yet: deepen it.
        while below is not None and not self.git.is_ancestor(below.sha, base_ref):
            if not self.git.deepen(o.remote, base):
                self.say(
                    f"stopped: {o.branch} has a commit the bot did not make ({below.sha[:12]} by "
                    f"{below.author}); leaving the branch and its pull request alone. Merge or close "
                    "the pull request and delete the branch to let the bot start over."
                )
                return BotResult(Operation.BLOCKED, o.dry_run)
        return None

    def _commit_fixes(self, worktree: Path) -> tuple[list[RuleFixes], int]:
        """One commit per rule with fixes, in rule order; the rules and the findings left unfixed."""
        from fixer.cli import report
        from fixer.files import runner

        paths = [str(worktree / p) for p in self.options.paths]
        options = self.fixer_options(paths)
        planned = [o.result for o in runner.run(paths, replace(options, mode=Mode.CHECK))]
        errors = report.error_lines(planned)
        if errors:
            self.say("not processed (left alone):\n" + errors.rstrip().replace(str(worktree) + os.sep, ""))
        findings = [f for r in planned for f in r.findings]
        rule_ids = sorted({f.rule_id for f in findings if f.fixable and options.accept(f)})
        remaining = sum(not (f.fixable and options.accept(f)) for f in findings)
        relative = _relative_to(worktree)
        rules = []
        for rule_id in rule_ids:
            fixed = [o.result for o in runner.run(paths, replace(options, mode=Mode.FIX, select=(rule_id,)))]
            changed = [r for r in fixed if r.applied and r.new_text is not None]
            if not changed:
                continue
            findings_fixed = tuple(
                replace(f, path=relative(f.path)) for r in changed for f in r.findings if f.key in set(r.applied)
            )
            first = findings_fixed[0]
            fixes = RuleFixes(rule_id, first.rule_name, first.why, findings_fixed,
                              tuple(sorted(relative(r.path) for r in changed)))
            self.git.commit_all(worktree, fixes.files, commit_message(fixes, TRAILER))
            rules.append(fixes)
        return rules, remaining

    def _nothing_to_fix(self, base: str) -> BotResult:
        o = self.options
        self.say(f"nothing to fix on {base}: no push, no pull request")
        pull = self._best_effort(
            "look up existing pull requests", lambda: self.forge.open_pull(o.branch), lambda: None,
            "a real run closes the bot's open pull request, if there is one")
        if pull is None:
            return BotResult(Operation.NONE, o.dry_run)
        if not o.close_stale:
            self.say(f"pull request #{pull.number} stays open (--keep-stale): {pull.url}")
            return BotResult(Operation.NONE, o.dry_run, pull.number, pull.url)
        if o.dry_run:
            self.say.would(f"close pull request #{pull.number} with a comment: {pull.url}")
        else:
            self.forge.comment(pull.number, CLOSE_COMMENT.format(base=base))
            self.forge.update_pull(pull.number, state="closed")
            self.say(f"closed pull request #{pull.number}: {pull.url}")
        return BotResult(Operation.CLOSED, o.dry_run, pull.number, pull.url)

    def _open_or_update(self, result: BotResult, base: str, body: str, remote_tip: str | None) -> BotResult:
        o = self.options
        looked_up = True

        def unknown() -> None:
            nonlocal looked_up
            looked_up = False

        pull = self._best_effort(
            "look up existing pull requests", lambda: self.forge.open_pull(o.branch), unknown,
            f"a real run updates the one open for {o.branch}, if there is one, else opens this one")
        if pull is None and looked_up and not result.pushed and remote_tip and (declined := self._declined(remote_tip)):
            self.say(f"pull request #{declined.number} with these fixes was closed without merging: not "
                     f"opening another until the fixes change ({declined.url})")
            result.operation, result.number, result.url = Operation.NONE, declined.number, declined.url
            return result
        if pull is None:
            if o.dry_run:
                self.say.would(self._describe_new(base, body))
                result.operation = Operation.CREATED
                return result
            pull = self._create(base, body)
            if pull is None:  # GitHub says one exists that the lookup missed
                pull = self.forge.open_pull(o.branch)
                if pull is None:
                    raise ForgeError(422, f"GitHub says a pull request for {o.branch} exists, but none is open for it")
                self.say(f"pull request #{pull.number} already exists for {o.branch}: updating it")
            else:
                result.operation, result.number, result.url = Operation.CREATED, pull.number, pull.url
                self._decorate(pull, reviewers=True)
                self.say(f"opened pull request #{pull.number}{' (draft)' if pull.draft else ''}: {pull.url}")
                return result
        result.number, result.url = pull.number, pull.url
        changes = {k: v for k, v in (("title", o.title), ("body", body), ("base", base))
                   if getattr(pull, k) != v}
        if not changes and not result.pushed:
            self.say(f"pull request #{pull.number} is up to date: {pull.url}")
            return result
        result.operation = Operation.UPDATED
        if o.dry_run:
            self.say.would(f"update pull request #{pull.number} ({', '.join(changes) or 'new commits'}): {pull.url}")
            return result
        if changes:
            self.forge.update_pull(pull.number, **changes)
        self._decorate(pull, reviewers=False)
        self.say(f"updated pull request #{pull.number}: {pull.url}")
        return result

    def _declined(self, tip: str) -> PullRequest | None:
        """A pull request a person closed, unmerged, while the branch held exactly `tip`."""
        closed = self.forge.pulls(self.options.branch, "closed")
        return next((p for p in closed if not p.merged and p.head_sha == tip), None)

    def _create(self, base: str, body: str) -> PullRequest | None:
        """A new pull request; None when GitHub answers that one already exists."""
        o = self.options
        draft = o.draft
        while True:
            try:
                return self.forge.create_pull(title=o.title, body=body, head=o.branch, base=base, draft=draft)
            except ForgeError as error:
                if error.status != 422:
                    raise
                if error.mentions("already exists"):
                    return None
                if draft and error.mentions("draft"):
                    self.say("this repository does not accept draft pull requests: opening a normal one")
                    draft = False
                    continue
                raise

    def _decorate(self, pull: PullRequest, *, reviewers: bool) -> None:
        """Labels are added to people's (never replaced); reviewers are asked once, on creation."""
        if self.options.labels:
            self.forge.add_labels(pull.number, list(self.options.labels))
        if reviewers and self.options.reviewers:
            self.forge.request_reviewers(pull.number, list(self.options.reviewers))

    def _describe_new(self, base: str, body: str) -> str:
        o = self.options
        extra = "".join([
            f"\n  labels: {', '.join(o.labels)}" if o.labels else "",
            f"\n  reviewers: {', '.join(o.reviewers)}" if o.reviewers else "",
            "\n  draft: yes" if o.draft else "",
        ])
        return (f"open a pull request:\n  title: {o.title}\n  {base} <- {o.branch}{extra}\n"
                + "".join(f"  | {line}\n" for line in body.splitlines()))


def _relative_to(worktree: Path) -> Callable[[str], str]:
    """Paths in the worktree as the repository spells them (posix, relative)."""
    root = worktree.resolve()

    def relative(path: str) -> str:
        return Path(path).resolve().relative_to(root).as_posix()

    return relative


@contextmanager
def _worktree(git: Git, rev: str) -> Iterator[Path]:
    """A detached worktree at `rev` in a temporary folder; the person's checkout is never touched."""
    folder = Path(tempfile.mkdtemp(prefix="outplace-bot-"))
    path = folder / "worktree"
    git.add_worktree(path, rev)
    try:
        yield path
    finally:
        git.remove_worktree(path)
        shutil.rmtree(folder, ignore_errors=True)
        git.run("worktree", "prune", check=False)


REMOTE_URL = re.compile(r"^(?:[a-z+]+://(?:[^@/]+@)?[^/]+/|[^@/:]+@[^:]+:)(?P<repo>[^/]+/[^/]+?)(?:\.git)?/?$")


def repo_from_url(url: str) -> str:
    """`owner/name` from an https, ssh or scp-like remote URL."""
    match = REMOTE_URL.match(url)
    if match is None:
        raise ValueError("cannot tell owner/name from the remote's URL: pass --repo owner/name")
    return match["repo"]
