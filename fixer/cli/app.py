"""The command line: thin commands over `config`, `runner` and `report`.

Exit codes: 0 nothing to report, 1 findings (check, fix) or a non-empty diff (diff), 2 a usage
or configuration error, or a file that could not be processed (the others are still reported).
"""

from __future__ import annotations

import enum
import gc
import os
import re
import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional, TextIO, TypeVar

import typer

from fixer.files.runner import Outcome
from fixer.core.types import ExitPolicy, Mode, Options

if TYPE_CHECKING:
    from fixer.core.types import FileResult

app = typer.Typer(
    name="outplace",
    help="Find in-place PyTorch tensor operations that break autograd and rewrite them out of place.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# typer prints a Python type beside every option (`<bool>`, `<list[str]>`) and positional argument in
# the help: a flag needs none, a value is named as click and Ruff name it (`--label LABEL`), an argument's
# metavar says it.
typer.core.TyperOption.display_type_rich = lambda self, ctx: None if self.is_flag else (self.metavar or self.name.upper())  # type: ignore[method-assign]
typer.core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign,assignment]


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


Paths = Annotated[Optional[list[str]], typer.Argument(metavar="PATH", help="Files or folders; `-` reads standard input. \\[default: .]", show_default=False)]
Select = Annotated[Optional[list[str]], typer.Option(metavar="CODE", help="Rule codes or prefixes to run, replacing the configured ones (comma-separated or repeated).")]
Ignore = Annotated[Optional[list[str]], typer.Option(metavar="CODE", help="Rule codes or prefixes to skip, replacing the configured ones (comma-separated or repeated).")]
ExtendSelect = Annotated[Optional[list[str]], typer.Option(metavar="CODE", help="Rule codes or prefixes to run in addition to the selected ones.")]
ExtendIgnore = Annotated[Optional[list[str]], typer.Option(metavar="CODE", help="Rule codes or prefixes to skip in addition to the ignored ones.")]
Exclude = Annotated[Optional[list[str]], typer.Option(metavar="PATTERN", help="Gitignore-style pattern of paths to skip (repeatable).")]
ConfigPath = Annotated[Optional[str], typer.Option("--config", metavar="PATH", help="The configuration file to use: a pyproject.toml (its \\[tool.outplace] table) or an outplace.toml (top-level keys); no other is looked for.")]
Jobs = Annotated[Optional[int], typer.Option("--jobs", "-j", metavar="N", min=1, help="Worker processes (default: one per CPU).")]
ForceExclude = Annotated[Optional[bool], typer.Option("--force-exclude/--no-force-exclude", help="Apply exclusions to paths named on the command line too (for pre-commit, which names every file).", show_default=False)]
Unsafe = Annotated[Optional[bool], typer.Option("--unsafe-fixes/--no-unsafe-fixes", help="Also apply fixes that may change behaviour.", show_default=False)]
CheckUnsafe = Annotated[Optional[bool], typer.Option("--unsafe-fixes/--no-unsafe-fixes", help="Count unsafe fixes as fixable in --statistics (as `fix --unsafe-fixes` would apply them); check itself changes nothing, and its summary names the command that applies each fix.", show_default=False)]
StdinName = Annotated[Optional[str], typer.Option(metavar="PATH", help="The path standard input stands for (`-`).")]
FixWarnings = Annotated[Optional[bool], typer.Option("--fix-warnings/--no-fix-warnings", help="Also fix `warning` findings (code that may train today); by default only `error` ones are changed.", show_default=False)]
ExitZero = Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when findings remain (2 still means a file could not be processed).")]
MaxWarnings = Annotated[Optional[int], typer.Option("--max-warnings", min=0, help="Exit 1 when more than this many warnings remain; errors always exit 1, warnings alone do not by default.", show_default=False)]
AllowDirty = Annotated[bool, typer.Option("--allow-dirty", help="Fix files that have uncommitted changes in git too.")]
Format = Annotated[OutputFormat, typer.Option("--output-format", "--format", metavar="text|json|sarif|github", help="Output format.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print findings and errors only: no summary, no progress bar.")]
NoColor = Annotated[bool, typer.Option("--no-color", help="Never colour the output (as NO_COLOR=1 does).")]
Statistics = Annotated[bool, typer.Option("--statistics", help="Print the number of findings per rule instead of each finding.")]
Code = Annotated[str, typer.Argument(metavar="CODE", help="A rule id, e.g. IP101, or name.", show_default=False)]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the result cache (.outplace_cache/ at the project root).")]
Interactive = Annotated[bool, typer.Option("--interactive", "-i", help="Review each change and answer y/n/a/d/r/A/e/?/q (needs a terminal).")]
ShowFixes = Annotated[bool, typer.Option("--show-fixes", help="List the fixes applied, per file and rule.")]
AddNoqa = Annotated[bool, typer.Option("--add-noqa", help="Add `# noqa: IPxxx` to each line with a finding (files written atomically), then exit 0.")]


def _show_version(value: bool) -> None:
    if value:
        from fixer.cli.formats import tool_version

        sys.stdout.write(f"outplace {tool_version()}\n")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[Optional[bool], typer.Option("--version", "-V", callback=_show_version, is_eager=True, help="Print outplace's version and exit.")] = None,
) -> None:
    """Find in-place PyTorch tensor operations that break autograd and rewrite them out of place."""


@dataclass(frozen=True, slots=True)
class Flags:
    """The options every processing command shares."""

    select: list[str] | None
    ignore: list[str] | None
    exclude: list[str] | None
    jobs: int | None
    unsafe_fixes: bool | None
    stdin_filename: str | None
    allow_dirty: bool = False
    quiet: bool = False
    no_cache: bool = False
    force_exclude: bool | None = None
    extend_select: list[str] | None = None
    extend_ignore: list[str] | None = None
    config: str | None = None  # --config: the one configuration file to read
    fix_warnings: bool | None = None


@app.command()
def check(
    paths: Paths = None, select: Select = None, ignore: Ignore = None, extend_select: ExtendSelect = None,
    extend_ignore: ExtendIgnore = None, exclude: Exclude = None, config: ConfigPath = None, jobs: Jobs = None,
    unsafe_fixes: CheckUnsafe = None, stdin_filename: StdinName = None, output_format: Format = OutputFormat.text,
    statistics: Statistics = False, add_noqa: AddNoqa = False, quiet: Quiet = False, no_color: NoColor = False,
    no_cache: NoCache = False,
    force_exclude: ForceExclude = None,
    exit_zero: ExitZero = False, max_warnings: MaxWarnings = None,
) -> None:
    """Report in-place writes that can break autograd; exit 1 when errors remain (warnings: see --max-warnings)."""
    from fixer.cli import formats, report

    _set_colour(no_color)
    paths = paths or ["."]
    flags = Flags(select, ignore, exclude, jobs, unsafe_fixes, stdin_filename, quiet=quiet, no_cache=no_cache,
                  extend_select=extend_select, extend_ignore=extend_ignore, config=config, force_exclude=force_exclude)
    options = _options(Mode.CHECK, paths, replace(flags, unsafe_fixes=None))  # hints name `fix`'s own flags
    results = [outcome.result for outcome, _ in _outcomes(Mode.CHECK, paths, flags)]
    if add_noqa:
        raise typer.Exit(_add_noqa(paths, results))
    policy = ExitPolicy(max_warnings, exit_zero)
    if statistics:
        _print(report.error_lines(results), sys.stderr)
        sys.stdout.write(formats.statistics(results, as_json=output_format is OutputFormat.json, unsafe_fixes=bool(unsafe_fixes)))
    elif output_format is OutputFormat.sarif:
        from fixer.core.registry import all_rules

        sys.stdout.write(formats.sarif(results, all_rules()))
    elif output_format is OutputFormat.github:
        sys.stdout.write(formats.github(results))
        if not quiet:
            _print(report.check_summary(results, options) + "\n", sys.stderr)
    elif output_format is OutputFormat.json:
        sys.stdout.write(report.check_json(results, policy))
    else:
        _print(report.error_lines(results), sys.stderr)
        lines = "".join(report.finding_line(f) + "\n" for r in results for f in r.findings)
        _print(lines if quiet else report.check_text(results, options), sys.stdout)
    raise typer.Exit(report.summarize(results).exit_code(policy))


@app.command()
def diff(
    paths: Paths = None, select: Select = None, ignore: Ignore = None, extend_select: ExtendSelect = None,
    extend_ignore: ExtendIgnore = None, exclude: Exclude = None, config: ConfigPath = None, jobs: Jobs = None,
    unsafe_fixes: Unsafe = None, stdin_filename: StdinName = None, quiet: Quiet = False, no_color: NoColor = False,
    no_cache: NoCache = False, force_exclude: ForceExclude = None, fix_warnings: FixWarnings = None,
) -> None:
    """Print the fixes (of errors; warnings too with --fix-warnings) as a unified diff for `git apply` /
    `patch -p1`; write nothing. Exit 1 when non-empty."""
    from fixer.cli import report

    _set_colour(no_color)
    paths = paths or ["."]
    flags = Flags(select, ignore, exclude, jobs, unsafe_fixes, stdin_filename, quiet=quiet, no_cache=no_cache,
                  extend_select=extend_select, extend_ignore=extend_ignore, config=config, force_exclude=force_exclude,
                  fix_warnings=fix_warnings)
    options = _options(Mode.DIFF, paths, flags)
    outcomes = [outcome for outcome, _ in _outcomes(Mode.DIFF, paths, flags)]
    for outcome in outcomes:
        _write_bytes(outcome.diff)  # bytes in each file's own encoding, so the patch applies
    results = [outcome.result for outcome in outcomes]
    _print(report.error_lines(results) + ("" if quiet else report.diff_summary(results, options)), sys.stderr)
    code = 2 if any(r.error for r in results) else int(any(o.diff for o in outcomes))
    raise typer.Exit(code)


@app.command()
def fix(
    paths: Paths = None, select: Select = None, ignore: Ignore = None, extend_select: ExtendSelect = None,
    extend_ignore: ExtendIgnore = None, exclude: Exclude = None, config: ConfigPath = None, jobs: Jobs = None,
    unsafe_fixes: Unsafe = None, stdin_filename: StdinName = None, interactive: Interactive = False,
    allow_dirty: AllowDirty = False, show_fixes: ShowFixes = False, quiet: Quiet = False, no_color: NoColor = False,
    no_cache: NoCache = False,
    force_exclude: ForceExclude = None,
    fix_warnings: FixWarnings = None, exit_zero: ExitZero = False, max_warnings: MaxWarnings = None,
) -> None:
    """Apply the safe fixes of errors (unsafe ones with --unsafe-fixes, warnings with --fix-warnings),
    writing files atomically; then list each error left and the command that fixes it.

    In a git work tree, files with uncommitted changes (untracked ones too) are left alone unless
    --allow-dirty, so that git can always undo the fix; a file whose only change is outplace's own
    last fix is not refused.
    """
    from fixer.cli import report

    _set_colour(no_color)
    paths = paths or ["."]
    flags = Flags(select, ignore, exclude, jobs, unsafe_fixes, stdin_filename, allow_dirty, quiet, no_cache,
                  force_exclude=force_exclude, extend_select=extend_select, extend_ignore=extend_ignore, config=config,
                  fix_warnings=fix_warnings)
    if interactive:
        raise typer.Exit(_review(paths, flags, ExitPolicy(max_warnings, exit_zero)))
    options = _options(Mode.FIX, paths, flags)
    outcomes = _outcomes(Mode.FIX, paths, flags)
    results = [outcome.result for outcome, _ in outcomes]
    stream = sys.stdout
    if paths == ["-"]:
        (outcome, data), = outcomes
        _write_bytes(_fixed_bytes(outcome, data))
        stream = sys.stderr  # standard output holds the code
    _print(report.error_lines(results), sys.stderr)
    if show_fixes:
        _print(report.applied_fixes(results), stream)
    if not quiet:
        _print(report.fix_text(results, options, paths), stream)
    raise typer.Exit(report.summarize(results).exit_code(ExitPolicy(max_warnings, exit_zero)))


@app.command()
def rules() -> None:
    """List the rules: id, name and what their fix does."""
    from fixer.cli import report
    from fixer.core.registry import all_rules

    sys.stdout.write(report.rules_table(all_rules()))


@app.command()
def explain(code: Code) -> None:
    """Print a rule's documentation: what it finds, why it is risky, its fix and its safety."""
    from fixer.cli import report
    from fixer.core.registry import find_rule

    rule = find_rule(code)
    if rule is None:
        _usage_error(f"unknown rule {code!r} (see `outplace rules`)")
    sys.stdout.write(report.explain(rule))


@app.command()
def server() -> None:
    """Run the language server over standard input and output, for an editor's LSP client."""
    from fixer.server.app import main as serve  # pygls only here: `--help` stays fast

    serve()


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def trace(
    ctx: typer.Context,
    fix: Annotated[bool, typer.Option("--fix", help="Rewrite each reported line (safe fixes), then run again.")] = False,
    unsafe_fixes: Annotated[bool, typer.Option("--unsafe-fixes", help="With --fix: apply unsafe fixes too.")] = False,
) -> None:
    """Run a program (`-- python train.py ARGS`, `-- -m module`, `-- pytest ...`) and name the lines
    whose in-place writes broke autograd. Needs torch in the program's Python."""
    from fixer.trace.command import TraceError, trace as run_trace

    ask = _ask_each if fix and sys.stdin.isatty() else None
    try:
        code = run_trace(list(ctx.args), fix=fix, ask=ask, out=lambda line: print(line, file=sys.stderr), unsafe=unsafe_fixes)
    except TraceError as error:  # its message names the command, as each line trace prints does
        print(error, file=sys.stderr)
        raise typer.Exit(2) from None
    raise typer.Exit(code)


def _ask_each(finding: object) -> bool:
    """In a terminal, `trace --fix` asks before each rewrite."""
    answer = input(f"{finding.path}:{finding.span.start_line}: {finding.original!r} -> {finding.replacement!r}  apply? [y/n] ")  # type: ignore[attr-defined]
    return answer.strip().lower().startswith("y")


@app.command()
def bot(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files or folders, relative to the repository root.", show_default=False)] = None,
    base: Annotated[Optional[str], typer.Option(help="Branch to fix and target (default: the repository's default branch).")] = None,
    branch: Annotated[str, typer.Option(help="The bot's branch.")] = "outplace/fix-inplace",
    title: Annotated[Optional[str], typer.Option(help="Pull request title.")] = None,
    label: Annotated[Optional[list[str]], typer.Option(help="Label to add (repeatable).")] = None,
    reviewer: Annotated[Optional[list[str]], typer.Option(help="Reviewer login, or org/team (repeatable).")] = None,
    draft: Annotated[bool, typer.Option(help="Open the pull request as a draft.")] = False,
    dry_run: Annotated[bool, typer.Option(help="Push nothing, write nothing on GitHub; print what would be done.")] = False,
    close_stale: Annotated[bool, typer.Option("--close-stale/--keep-stale", help="Close the bot's pull request once nothing is left to fix.")] = True,
    repo: Annotated[Optional[str], typer.Option(help="owner/name (default: $GITHUB_REPOSITORY, else the remote's URL).")] = None,
    api_url: Annotated[Optional[str], typer.Option(help="REST API root; GitHub Enterprise: https://HOST/api/v3 (default: $GITHUB_API_URL or api.github.com).")] = None,
    remote: Annotated[str, typer.Option(help="Git remote to fetch from and push to.")] = "origin",
    author: Annotated[str, typer.Option(help="Commit identity, `Name <email>`.")] = "outplace-bot <outplace-bot@users.noreply.github.com>",
    select: Select = None, ignore: Ignore = None, exclude: Exclude = None, jobs: Jobs = None, unsafe_fixes: Unsafe = None,
    fix_warnings: FixWarnings = None,
) -> None:
    """Commit the fixes to a branch (one commit per rule) and open or update one pull request.

    The token comes from $OUTPLACE_TOKEN or $GITHUB_TOKEN. Exit 0 when done, 1 when the branch holds
    someone else's commits (left alone), 2 on an error.
    """
    from fixer.bot import BotOptions, entry
    from fixer.bot.body import DEFAULT_TITLE
    from fixer.bot.git import Identity

    flags = Flags(select, ignore, exclude, jobs, unsafe_fixes, None, fix_warnings=fix_warnings)
    paths = paths or ["."]
    try:
        identity = Identity.parse(author)
    except ValueError as error:
        _usage_error(f"--author: {error}")
    shown = [*(["--unsafe-fixes"] if unsafe_fixes else []), *(["--fix-warnings"] if fix_warnings else []), *(f"--select={c}" for c in _codes(select) or ()),
             *(f"--ignore={c}" for c in _codes(ignore) or ())]
    options = BotOptions(
        paths=tuple(paths), repo=repo, api_url=api_url, base=base, branch=branch, title=title or DEFAULT_TITLE,
        labels=tuple(label or ()), reviewers=tuple(reviewer or ()), draft=draft, dry_run=dry_run,
        close_stale=close_stale, remote=remote, identity=identity,
        reproduce=entry.reproduce_command(paths, shown),
    )
    raise typer.Exit(entry.main(options, lambda found: _options(Mode.FIX, found, flags), out=sys.stdout, err=sys.stderr))


# helpers ----------------------------------------------------------------------------------------
def _review(paths: list[str], flags: Flags, policy: ExitPolicy) -> int:
    """`fix -i`: the interactive review, which reads its answers from the terminal."""
    if "-" in paths:
        _usage_error("--interactive cannot review standard input (`-`); use `outplace diff -` or `outplace fix -`")
    if not sys.stdin.isatty():
        _usage_error("--interactive needs a terminal on standard input; use `outplace diff` to review or `outplace fix` to apply")
    from fixer.cli import interactive

    return interactive.review(paths, _options(Mode.PLAN, paths, flags), policy)


def _outcomes(mode: Mode, paths: list[str], flags: Flags) -> list[tuple[Outcome, bytes]]:
    """The outcome of every file (or of standard input), with stdin's bytes (b"" for files)."""
    from fixer.cli import progress
    from fixer.files import runner

    if "-" in paths and len(paths) > 1:
        _usage_error("`-` (standard input) cannot be combined with other paths")
    options = _options(mode, paths, flags)
    if paths == ["-"]:
        data = sys.stdin.buffer.read()
        return [(runner.process_stdin(data, flags.stdin_filename or "-", options), data)]
    if not progress.wants_bar(sys.stderr, flags.quiet):
        outcomes = [(outcome, b"") for outcome in runner.run(paths, options)]
    else:
        outcomes = [(outcome, b"") for outcome in progress.tracked(sys.stderr, lambda total: runner.run(paths, options, total))]
    if not outcomes:  # as Ruff says it, on stderr; the exit code stays 0
        sys.stderr.write("warning: No Python files found under the given path(s)\n")
    return outcomes


def _options(mode: Mode, paths: list[str], flags: Flags) -> Options:
    """Options from the flags, falling back on `[tool.outplace]`; exits 2 on a bad code or config."""
    from fixer.files.config import ConfigError, extended, load_config

    select, ignore = _codes(flags.select), _codes(flags.ignore)
    extend_select, extend_ignore = _codes(flags.extend_select) or (), _codes(flags.extend_ignore) or ()
    bad = unknown_codes([*(select or ()), *(ignore or ()), *extend_select, *extend_ignore])
    if bad:
        _usage_error(f"unknown rule code {bad[0]!r} (see `outplace rules`)")
    start = [flags.stdin_filename or "."] if paths == ["-"] else paths
    try:
        config = load_config(start, unknown_codes, flags.config)
    except ConfigError as error:
        _usage_error(str(error))
    return Options(
        mode=mode,
        select=extended(select if select is not None else config.selected, extend_select),
        ignore=(ignore if ignore is not None else config.ignored) + extend_ignore,
        unsafe_fixes=_pick(flags.unsafe_fixes, config.unsafe_fixes) or False,
        fix_warnings=_pick(flags.fix_warnings, config.fix_warnings) or False,
        exclude=_pick(tuple(flags.exclude) if flags.exclude else None, config.exclude),
        force_exclude=_pick(flags.force_exclude, config.force_exclude) or False,
        per_file_ignores=config.per_file_ignores,
        root=str(config.root) if config.root else None,
        jobs=flags.jobs,
        allow_dirty=flags.allow_dirty,
        cache_dir=None if flags.no_cache or paths == ["-"] else _cache_dir(paths, config.root),
    )


def _cache_dir(paths: list[str], config_root: object) -> str:
    """`.outplace_cache/` at the project root (see `cache.cache_root`)."""
    from fixer.files.cache import cache_root

    return str(cache_root(paths, str(config_root) if config_root else None))


T = TypeVar("T")


def _pick(flag: T | None, configured: T | None) -> T | tuple[()]:
    """The flag's value when given, else the configured one, else empty."""
    if flag is not None:
        return flag
    return configured if configured is not None else ()


def unknown_codes(codes: list[str]) -> list[str]:
    """`registry.unknown_codes`, which loads every rule (and libcst): only when there are codes to check."""
    if not codes:
        return []
    from fixer.core.registry import unknown_codes as check

    return check(codes)


def _codes(values: list[str] | None) -> tuple[str, ...] | None:
    """Codes from repeated and comma-separated values; ids upper-cased ("ip1" -> "IP1")."""
    if not values:
        return None
    codes = [code.strip() for value in values for code in value.split(",") if code.strip()]
    return tuple(code.upper() if re.fullmatch(r"[A-Za-z]+\d*", code) else code for code in codes)


def _add_noqa(paths: list[str], results: list[FileResult]) -> int:
    """`check --add-noqa`: write the comments, say how many; 0 unless a file could not be processed."""
    from fixer.cli import noqa, report

    if paths == ["-"]:
        _usage_error("--add-noqa cannot write to standard input (`-`)")
    added, errors = noqa.add_to_files(results)
    _print(report.error_lines(results) + "".join(f"{error}\n" for error in errors), sys.stderr)
    sys.stderr.write(f"Added {report.plural(added, 'noqa directive')}.\n")
    return 2 if errors or any(r.error for r in results) else 0


def _fixed_bytes(outcome: Outcome, data: bytes) -> bytes:
    """What `fix -` prints: the fixed code in the input's encoding, or the input unchanged."""
    from fixer.files.sourcefile import SourceError, encode_source

    if outcome.result.new_text is None:
        return data
    try:
        return encode_source(outcome.result.new_text, outcome.encoding)
    except SourceError as error:
        sys.stderr.write(error.error.describe(outcome.result.path) + "\n")
        return data


def _set_colour(no_color: bool) -> None:
    """--no-color: the same as NO_COLOR=1, which `_colour` and rich both honour."""
    if no_color:
        os.environ["NO_COLOR"] = "1"


def _colour(stream: object) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR")


def _print(text: str, stream: TextIO) -> None:
    """Write `text`, coloured when `stream` is a terminal and NO_COLOR is not set."""
    if not text:
        return
    if _colour(stream):
        from rich.console import Console

        from fixer.cli.report import styled

        Console(file=stream, highlight=False, soft_wrap=True).print(styled(text), end="")
    else:
        stream.write(text)


def _write_bytes(data: bytes) -> None:
    if data:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def _usage_error(message: str) -> NoReturn:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(2)


def main() -> None:
    """The `outplace` console script."""
    # Parsing makes millions of short-lived objects and few cycles: a larger first generation
    # spares most collections (mypy's main does the same). -6 to -9 % CPU on the benchmark's
    # quick subset, +15 MB peak RSS. Forked workers inherit it.
    gc.set_threshold(200_000, 30, 30)
    for stream in (sys.stdout, sys.stderr):  # a path or message the terminal cannot show is escaped
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    app()
