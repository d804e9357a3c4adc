"""The pull request's title, commit messages and body, from the findings each rule fixed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from fixer.core.types import Finding

# GitHub refuses bodies over 65,536 characters; stay clear of it.
BODY_LIMIT = 65_000
MARKER = "<!-- outplace-bot -->"
DEFAULT_TITLE = "Rewrite in-place tensor operations that can break autograd (outplace)"


@dataclass(frozen=True, slots=True)
class RuleFixes:
    """What one rule's commit changed: the findings it fixed, by file (paths relative to the repo)."""

    rule_id: str
    rule_name: str
    why: str
    fixed: tuple[Finding, ...]
    files: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.fixed)


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else words or word + 's'}"


def commit_message(fixes: RuleFixes, trailer: str) -> str:
    subject = (f"outplace: {fixes.rule_id} {fixes.rule_name}: fix {plural(fixes.count, 'in-place write')} "
               f"in {plural(len(fixes.files), 'file')}")
    return f"{subject}\n\n{fixes.why}\n\n{trailer}: {fixes.rule_id}\n"


def _counts(values: Sequence[str]) -> str:
    """`2 error, 1 warning`, most frequent first."""
    return ", ".join(f"{n} {v}" if len(set(values)) > 1 else v for v, n in Counter(values).most_common())


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def render(rules: Sequence[RuleFixes], reproduce: str, remaining: int = 0, limit: int = BODY_LIMIT) -> str:
    """The body: a table per rule, the command to reproduce, each rule's why, the files touched."""
    total = sum(r.count for r in rules)
    files = sorted({f for r in rules for f in r.files})
    lines = [
        MARKER,
        f"outplace rewrote {plural(total, 'in-place tensor write')} in {plural(len(files), 'file')} "
        "out of place, so that autograd can compute gradients through them. Each rule is one commit: "
        "review them one at a time.",
        "",
        "| Rule | Fixes | Files | Severity | Fix safety |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for r in rules:
        severity = _counts([f.severity.value for f in r.fixed])
        safety = _counts([f.safety.label for f in r.fixed])
        lines.append(f"| {_code(r.rule_id)} {r.rule_name} | {r.count} | {len(r.files)} | {severity} | {safety} |")
    if remaining:
        lines += ["", f"Not fixed here: {plural(remaining, 'finding')} whose fix is unsafe or display-only, or "
                      "that are warnings (code that may train today: `outplace bot --fix-warnings` fixes those); "
                      "`outplace check` lists them."]
    lines += ["", "### Reproduce locally", "", "```console", f"$ {reproduce}", "```", "", "### Why"]
    for r in rules:
        lines += ["", f"**{r.rule_id} {r.rule_name}.** {r.why}"]
    lines += ["", "### Files touched", ""]
    for path in files:
        per_rule = ", ".join(f"{r.rule_id} ×{sum(f.path == path for f in r.fixed)}" for r in rules if path in r.files)
        lines.append(f"- {_code(path)}: {per_rule}")
    lines += ["", "---", "<sub>Opened by `outplace bot`. If you push a commit to this branch, the bot "
              "stops updating it and says so; close the pull request to drop the fixes.</sub>"]
    return cut("\n".join(lines) + "\n", limit)


def cut(body: str, limit: int = BODY_LIMIT) -> str:
    """`body`, or its first lines and a note saying what was left out, within `limit` characters."""
    if len(body) <= limit:
        return body
    lines = body.splitlines(keepends=True)
    kept: list[str] = []
    size = 0
    note_room = 200
    for line in lines:
        if size + len(line) > limit - note_room:
            break
        kept.append(line)
        size += len(line)
    left = len(lines) - len(kept)
    note = (f"\n… {plural(left, 'more line')} cut to stay under GitHub's 65,536-character limit: "
            "run the command above for the full diff.\n")
    return "".join(kept) + note
