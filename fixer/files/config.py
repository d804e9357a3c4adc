"""The target project's settings: `[tool.outplace]` in `pyproject.toml`, or an `outplace.toml`.

As Ruff looks for `.ruff.toml`, `ruff.toml` and `pyproject.toml`, the file used is the nearest
`.outplace.toml` or `outplace.toml` (keys at the top level) or `pyproject.toml` with a
`[tool.outplace]` table, at or above the first path: a sub-package's own pyproject.toml without
one does not hide the repository's settings. `--config PATH` names the file instead. Flags given on
the command line replace the configured value of the same key (`--extend-*` add to it).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CodeCheck = Callable[[Iterable[str]], list[str]]  # the codes that name no rule
KEYS = ("select", "extend-select", "ignore", "extend-ignore", "exclude", "per-file-ignores", "unsafe-fixes", "force-exclude", "fix-warnings")
OWN_FILES = (".outplace.toml", "outplace.toml")  # outplace's own configuration files, found before pyproject.toml


class ConfigError(Exception):
    """The configuration is invalid; the message is one line and names the file."""


@dataclass(frozen=True, slots=True)
class Config:
    """The settings read from one `pyproject.toml` (all empty when there is none)."""

    path: Path | None = None  # the pyproject.toml or outplace.toml they came from
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unsafe_fixes: bool | None = None
    extend_select: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    force_exclude: bool | None = None
    fix_warnings: bool | None = None  # fix, diff and bot change `warning` findings too

    @property
    def selected(self) -> tuple[str, ...]:
        """`select` plus `extend-select` (an empty selection runs every rule)."""
        return extended(self.select or (), self.extend_select)

    @property
    def ignored(self) -> tuple[str, ...]:
        """`ignore` plus `extend-ignore`."""
        return (self.ignore or ()) + self.extend_ignore

    @property
    def root(self) -> Path | None:
        """The folder globs in the configuration are relative to."""
        return self.path.parent if self.path is not None else None


def extended(select: tuple[str, ...], extra: tuple[str, ...]) -> tuple[str, ...]:
    """`select` plus the --extend-select codes; an empty selection already runs every rule."""
    return select + extra if select and extra else select


def find_config(start: Path) -> Path | None:
    """The nearest outplace.toml, or pyproject.toml with a `[tool.outplace]` table, at or above `start`."""
    folder = Path(os.path.abspath(start))
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        for name in OWN_FILES:
            if (candidate / name).is_file():
                return candidate / name
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and "outplace" in _read(pyproject).get("tool", {}):
            return pyproject
    return None


def load_config(paths: Sequence[str], unknown_codes: CodeCheck | None = None, config_file: str | None = None) -> Config:
    """The configuration for a run over `paths` (or in `config_file`, when given: `--config`);
    `unknown_codes`, when given, validates rule codes."""
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"--config {config_file}: no such file")
    else:
        found = find_config(next((Path(p) for p in paths if p != "-"), Path.cwd()))
        if found is None:
            return Config()
        path = found
    return parse_config(_table(path), path, unknown_codes)


def _table(path: Path) -> Any:
    """The settings in `path`: `[tool.outplace]` of a pyproject.toml, the top level of any other file."""
    data = _read(path)
    if path.name != "pyproject.toml":
        return data
    if "outplace" not in data.get("tool", {}):
        raise ConfigError(f"{path}: no [tool.outplace] table")
    return data["tool"]["outplace"]


def parse_config(table: Any, path: Path, unknown_codes: CodeCheck | None = None) -> Config:
    """Validate one `[tool.outplace]` table (or outplace.toml); raise ConfigError on the first problem."""
    where = f"{path}: [tool.outplace]" if path.name == "pyproject.toml" else str(path)
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    extra = sorted(set(table) - set(KEYS))
    if extra:
        raise ConfigError(f"{where}: unknown key {extra[0]!r} (known keys: {', '.join(KEYS)})")
    codes = {key: _strings(table, key, where) for key in ("select", "extend-select", "ignore", "extend-ignore", "exclude")}
    per_file = _per_file_ignores(table.get("per-file-ignores", {}), where)
    unsafe, force_exclude, warnings = (_flag(table, key, where) for key in ("unsafe-fixes", "force-exclude", "fix-warnings"))
    if unknown_codes is not None:
        named = [*(c for key in ("select", "extend-select", "ignore", "extend-ignore") for c in codes[key] or ()),
                 *(c for _, cs in per_file for c in cs)]
        bad = unknown_codes(named)
        if bad:
            raise ConfigError(f"{where}: unknown rule code {bad[0]!r} (see `outplace rules`)")
    return Config(path, codes["select"], codes["ignore"], codes["exclude"], per_file, unsafe,
                  codes["extend-select"] or (), codes["extend-ignore"] or (), force_exclude, warnings)


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
