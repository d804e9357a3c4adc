"""Which rules run on a file: the run's --select and --ignore, less the per-file ignores that match it."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from pathspec import GitIgnoreSpec

from fixer.core.types import Options

if TYPE_CHECKING:
    from fixer.core.codemod import Codemod


def rules_for(path: str, options: Options) -> tuple[type[Codemod], ...]:
    """The rules selected for `path`: --select minus --ignore minus its per-file ignores."""
    from fixer.core.registry import select_rules

    ignored = options.ignore + ignored_codes(path, options)
    return select_rules(options.select, ignored)


def ignored_codes(path: str, options: Options) -> tuple[str, ...]:
    """The codes the per-file-ignores of `options` silence for `path`."""
    if not options.per_file_ignores:
        return ()
    relative = _relative_to_root(path, options.root)
    return tuple(
        code
        for glob, codes in options.per_file_ignores
        if _glob_spec(glob).match_file(relative)
        for code in codes
    )


@functools.cache
def _glob_spec(glob: str) -> GitIgnoreSpec:
    return GitIgnoreSpec.from_lines([glob])


def _relative_to_root(path: str, root: str | None) -> str:
    """`path` relative to the configuration's folder when it is inside it, else as given."""
    if root is not None:
        try:
            return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            pass
    return Path(path).as_posix().removeprefix("./")
