"""Find the rules by walking the `codemods` package: no hand-kept list."""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Sequence

import codemods
from fixer.core.codemod import Codemod


@functools.cache
def all_rules() -> tuple[type[Codemod], ...]:
    """Every rule class defined in a `codemods` module, sorted by id."""
    found: list[type[Codemod]] = []
    for info in pkgutil.iter_modules(codemods.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"codemods.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Codemod) and obj.__module__ == module.__name__ and hasattr(obj, "ID"):
                found.append(obj)
    return tuple(sorted(found, key=lambda rule: rule.ID))


def matches(rule: type[Codemod], codes: Iterable[str]) -> bool:
    """True when a code is the rule's id, a prefix of it ("IP1", "ALL") or its name."""
    return any(code == "ALL" or rule.ID.startswith(code) or code == rule.NAME for code in codes)


def select_rules(select: Sequence[str] = (), ignore: Sequence[str] = ()) -> tuple[type[Codemod], ...]:
    """The rules chosen by --select (all when empty) minus --ignore."""
    return tuple(
        rule
        for rule in all_rules()
        if (not select or matches(rule, select)) and not matches(rule, ignore)
    )


def find_rule(code: str) -> type[Codemod] | None:
    """The rule with this id or name (case-insensitive id)."""
    for rule in all_rules():
        if code.upper() == rule.ID or code == rule.NAME:
            return rule
    return None


def unknown_codes(codes: Iterable[str]) -> list[str]:
    """Codes that name no rule and prefix no rule's id."""
    return [c for c in codes if not any(matches(rule, [c]) for rule in all_rules())]
