"""The `[tool.outplace]` table of the target project's `pyproject.toml`.

The file used is the nearest `pyproject.toml` at or above the first path that has a
`[tool.outplace]` table (as Ruff does for `[tool.ruff]`): a sub-package's own pyproject.toml
without one does not hide the repository's settings. Flags given on the command line replace the
configured value of the same key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CodeCheck = Callable[[Iterable[str]], list[str]]  # the codes that name no rule
KEYS = ("select", "ignore", "exclude", "per-file-ignores", "unsafe-fixes", "fix-warnings")


class ConfigError(Exception):
    """The configuration is invalid; the message is one line and names the file."""


@dataclass(frozen=True, slots=True)
class Config:
    """The settings read from one `pyproject.toml` (all empty when there is none)."""

    path: Path | None = None  # the pyproject.toml they came from
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unsafe_fixes: bool | None = None
    fix_warnings: bool | None = None  # fix, diff and bot change `warning` findings too

    @property
    def root(self) -> Path | None:
        """The folder globs in the configuration are relative to."""
        return self.path.parent if self.path is not None else None


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a `[tool.outplace]` table."""
    folder = Path(os.path.abspath(start))
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and "outplace" in _read(pyproject).get("tool", {}):
            return pyproject
    return None


def load_config(paths: Sequence[str], unknown_codes: CodeCheck | None = None) -> Config:
    """The configuration for a run over `paths`; `unknown_codes`, when given, validates rule codes."""
    start = next((Path(p) for p in paths if p != "-"), Path.cwd())
    pyproject = find_config(start)
    if pyproject is None:
        return Config()
    return parse_config(_read(pyproject)["tool"]["outplace"], pyproject, unknown_codes)


def parse_config(table: Any, path: Path, unknown_codes: CodeCheck | None = None) -> Config:
    """Validate one `[tool.outplace]` table; raise ConfigError on the first problem."""
    where = f"{path}: [tool.outplace]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    extra = sorted(set(table) - set(KEYS))
    if extra:
        raise ConfigError(f"{where}: unknown key {extra[0]!r} (known keys: {', '.join(KEYS)})")
    codes = {key: _strings(table, key, where) for key in ("select", "ignore", "exclude")}
    per_file = _per_file_ignores(table.get("per-file-ignores", {}), where)
    unsafe, warnings = (_flag(table, key, where) for key in ("unsafe-fixes", "fix-warnings"))
    if unknown_codes is not None:
        named = [*(codes["select"] or ()), *(codes["ignore"] or ()), *(c for _, cs in per_file for c in cs)]
        bad = unknown_codes(named)
        if bad:
            raise ConfigError(f"{where}: unknown rule code {bad[0]!r} (see `outplace rules`)")
    return Config(path, codes["select"], codes["ignore"], codes["exclude"], per_file, unsafe, warnings)


def _read(pyproject: Path) -> dict[str, Any]:
    try:
        with open(pyproject, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{pyproject}: invalid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{pyproject}: cannot read: {error.strerror or error}") from None


def _flag(table: dict[str, Any], key: str, where: str) -> bool | None:
    value = table.get(key)
    if value is not None and not isinstance(value, bool):
        raise ConfigError(f"{where}: {key!r} must be true or false")
    return value


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def _per_file_ignores(value: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: 'per-file-ignores' must be a table of glob = [codes]")
    pairs = []
    for glob, codes in value.items():
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            raise ConfigError(f"{where}: per-file-ignores {glob!r} must be a list of rule codes")
        pairs.append((glob, tuple(codes)))
    return tuple(pairs)
