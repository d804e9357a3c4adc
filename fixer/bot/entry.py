"""`outplace bot` behind the CLI: the token from the environment, errors as one line, and the
result for GitHub Actions (`$GITHUB_OUTPUT`)."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from fixer.bot.flow import BotOptions, BotResult, run_bot
from fixer.bot.forge import ForgeError
from fixer.bot.git import GitError
from fixer.bot.redact import Redactor
from fixer.core.types import Options

TOKEN_VARIABLES = ("OUTPLACE_TOKEN", "GITHUB_TOKEN")  # the first set wins


def token_from(env: Mapping[str, str]) -> str | None:
    return next((env[name] for name in TOKEN_VARIABLES if env.get(name)), None)


def reproduce_command(paths: Sequence[str], flags: Sequence[str]) -> str:
    return shlex.join(["outplace", "diff", *paths, *flags])


def main(options: BotOptions, fixer_options: Callable[[list[str]], Options], *, out: TextIO, err: TextIO) -> int:
    """Run the bot; its exit code (0 done, 1 stopped by someone else's commits, 2 error)."""
    env = dict(os.environ)
    token = token_from(env)
    redact = Redactor(token)
    if not token and not options.dry_run:
        err.write(f"error: set {' or '.join(reversed(TOKEN_VARIABLES))} to a token that may push and "
                  "open pull requests (or use --dry-run)\n")
        return 2
    try:
        result = run_bot(options, token=token, fixer_options=fixer_options, out=out, environ=env)
    except (GitError, ForgeError, ValueError) as error:
        err.write("error: " + redact(str(error)) + "\n")
        return 2
    out.write(f"operation: {result.operation.value}{' (dry run)' if result.dry_run else ''}\n")
    if env.get("GITHUB_OUTPUT") and not result.dry_run:
        _write_outputs(Path(env["GITHUB_OUTPUT"]), result)
    return result.exit_code


def _write_outputs(path: Path, result: BotResult) -> None:
    """Step outputs, named like peter-evans/create-pull-request's."""
    values = {
        "pull-request-operation": result.operation.value,
        "pull-request-number": "" if result.number is None else str(result.number),
        "pull-request-url": result.url or "",
    }
    with path.open("a", encoding="utf-8") as stream:
        stream.writelines(f"{key}={value}\n" for key, value in values.items())
