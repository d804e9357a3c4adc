"""What a run leaves unfixed, and why: each finding's held-back reason and the command that applies it.

`fix`, `diff` and the bot change `error` findings by default (as ESLint fails on errors, not
warnings): a `warning` marks code that may train today, fixed only with --fix-warnings.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from fixer.core.types import FileResult, Finding, Options, Safety, Severity

WARNINGS_FLAG = "--fix-warnings"
UNSAFE_FLAG = "--unsafe-fixes"


@dataclass(frozen=True, slots=True)
class HeldBack:
    """A finding left unfixed: why its fix was not applied, and the flags that would apply it."""

    finding: Finding
    reason: str  # "unsafe fix", "warning", "display-only", "overlapped another fix"
    flags: tuple[str, ...] | None  # what `outplace fix` needs to apply it; None: nothing does

    def command(self) -> str | None:
        """`outplace fix --unsafe-fixes model.py`, or None when no command applies the fix."""
        if self.flags is None:
            return None
        return shlex.join(["outplace", "fix", *self.flags, self.finding.path])


def held_back(finding: Finding, options: Options) -> HeldBack:
    """Why `finding` was not fixed in a run with `options`, and the flags that apply it."""
    if not finding.fixable:
        return HeldBack(finding, "display-only", None)
    flags = missing_flags(finding, options)
    if finding.severity is Severity.WARNING and WARNINGS_FLAG in flags:
        return HeldBack(finding, "warning", flags)
    if UNSAFE_FLAG in flags:
        return HeldBack(finding, "unsafe fix", flags)
    return HeldBack(finding, "overlapped another fix", flags)


def missing_flags(finding: Finding, options: Options) -> tuple[str, ...]:
    """The flags a run with `options` lacks to apply the fix of `finding` (fixable findings only)."""
    flags = []
    if finding.severity is Severity.WARNING and not options.fix_warnings:
        flags.append(WARNINGS_FLAG)
    if finding.safety is Safety.UNSAFE and not options.unsafe_fixes:
        flags.append(UNSAFE_FLAG)
    return tuple(flags)


def remaining_errors(results: Sequence[FileResult], options: Options) -> list[HeldBack]:
    """Every `error` finding left unfixed, in path order."""
    return [held_back(f, options) for r in results for f in r.remaining if f.severity is Severity.ERROR]


def error_line(held: HeldBack, location: str) -> str:
    """`model.py:39:5: IP104 <message>; apply with `outplace fix --unsafe-fixes model.py``."""
    f = held.finding
    command = held.command()
    if command is None:
        tail = f"display-only, see `outplace explain {f.rule_id}`"
    else:
        tail = f"{held.reason}, apply with `{command}`"
    return f"{location}: {f.rule_id} {f.message.rstrip('.')}; {tail}"


def fix_commands(findings: Sequence[Finding], options: Options, paths: Sequence[str] = ()) -> list[str]:
    """`2 fixable with `outplace fix --fix-warnings``, `1 with `...``: the fixable `findings` by the command
    that fixes them in a run with `options`, fewest flags first."""
    groups = Counter(missing_flags(f, options) for f in findings if f.fixable)
    ordered = sorted(groups.items(), key=lambda item: len(item[0]))
    return [
        f"{count} {'with' if index else 'fixable with'} `{shlex.join(['outplace', 'fix', *flags, *paths])}`"
        for index, (flags, count) in enumerate(ordered)
    ]


def warnings_line(results: Sequence[FileResult], options: Options, paths: Sequence[str]) -> str | None:
    """How many warnings were left as they are, and the commands that fix them; None when none were."""
    left = [f for r in results for f in r.remaining if f.severity is Severity.WARNING]
    if not left:
        return None
    parts = fix_commands(left, options, paths)
    display = sum(not f.fixable for f in left)
    if display:
        parts.append(f"{display} with no automatic fix")
    what = "1 warning (code that may train today) was" if len(left) == 1 else f"{len(left)} warnings (code that may train today) were"
    return f"{what} not fixed: {', '.join(parts)}."
