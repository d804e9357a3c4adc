"""The result cache (fixer/files/cache.py): a re-run serves stored results, and only exact keys match."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixer.files import cache, runner
from fixer.core import engine
from fixer.files.runner import Mode, Options
from fixer.files.walk import discover

FINDS = "import torch\n\ndef f(x):\n    y = torch.exp(x)\n    y += 1\n    return y\n"
CLEAN = "def g(a):\n    return a + 1\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "a.py").write_text(FINDS)
    (tmp_path / "b.py").write_text(CLEAN)
    (tmp_path / "c.py").write_text(FINDS.replace("y += 1", "y.add_(2)"))
    return tmp_path


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the engine planned or fixed (the runs below are in-process: -j 1)."""
    calls: list[str] = []
    plan, fix = engine.plan, engine.fix

    def counted_plan(text, path, rules, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(path)
        return plan(text, path, rules, **kwargs)

    def counted_fix(text, path, rules, accept, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(path)
        return fix(text, path, rules, accept, **kwargs)

    monkeypatch.setattr(engine, "plan", counted_plan)
    monkeypatch.setattr(engine, "fix", counted_fix)
    return calls


def options(root: Path, **changes: object) -> Options:
    return Options(**{"jobs": 1, "cache_dir": str(root / cache.CACHE_FOLDER), **changes})  # type: ignore[arg-type]


def results(root: Path, opts: Options) -> list:
    return [outcome.result for outcome in runner.run([str(root)], opts)]


def test_a_rerun_gives_the_same_results_without_the_engine(project: Path, engine_calls: list[str]) -> None:
    first = results(project, options(project))
    assert len(engine_calls) == 3 and any(r.findings for r in first)
    engine_calls.clear()
    assert results(project, options(project)) == first
    assert engine_calls == []


def test_a_changed_file_is_computed_again(project: Path, engine_calls: list[str]) -> None:
    results(project, options(project))
    engine_calls.clear()
    (project / "b.py").write_text(FINDS)
    second = results(project, options(project))
    assert engine_calls == [str(project / "b.py")]
    assert second[1].findings and second[1].path == str(project / "b.py")


def test_another_selection_or_mode_is_another_key(project: Path, engine_calls: list[str]) -> None:
    results(project, options(project))
    engine_calls.clear()
    narrowed = results(project, options(project, select=("IP102",)))
    assert len(engine_calls) == 3
    assert {f.rule_id for r in narrowed for f in r.findings} == {"IP102"}
    for changed in ({"ignore": ("IP101",)}, {"unsafe_fixes": True}, {"mode": Mode.DIFF}):
        engine_calls.clear()
        results(project, options(project, **changed))
        assert set(engine_calls) == {str(project / name) for name in ("a.py", "b.py", "c.py")}, changed


def test_a_corrupt_or_foreign_entry_is_ignored(project: Path, engine_calls: list[str]) -> None:
    first = results(project, options(project))
    entries = [p for p in (project / cache.CACHE_FOLDER).rglob("*") if p.is_file() and p.name != ".gitignore"]
    assert len(entries) == 3
    entries[0].write_bytes(cache.FORMAT + b"not a pickle")
    entries[1].write_bytes(b"")
    entries[2].write_bytes(b"garbage from another version")
    engine_calls.clear()
    assert results(project, options(project)) == first
    assert len(engine_calls) == 3
    engine_calls.clear()
    assert results(project, options(project)) == first  # and the entries were rewritten
    assert engine_calls == []


def test_an_entry_under_the_wrong_key_is_not_used(project: Path) -> None:
    store = cache.Cache(project / cache.CACHE_FOLDER)
    key_a = cache.entry_key("a.py", b"x", options(project))
    first = results(project, options(project))
    store.store(key_a, first[0])
    store._entry(key_a).rename(store._entry(key_a[:-1] + "0" if key_a[-1] != "0" else key_a[:-1] + "1"))
    other = key_a[:-1] + ("0" if key_a[-1] != "0" else "1")
    assert store.load(other) is None  # the stored key inside the entry must match


def test_fix_caches_only_files_with_nothing_to_fix(project: Path, engine_calls: list[str]) -> None:
    opts = options(project, mode=Mode.FIX, allow_dirty=True)
    results(project, opts)
    assert (project / "a.py").read_text() != FINDS  # fixed and written
    engine_calls.clear()
    results(project, opts)  # the fixed files are new text: computed again; b.py had nothing to fix
    assert set(engine_calls) == {str(project / "a.py"), str(project / "c.py")}
    engine_calls.clear()
    again = results(project, opts)
    assert engine_calls == []  # every file now has nothing to fix: all served from the cache
    assert all(r.new_text is None for r in again)


def test_no_cache_writes_nothing(project: Path, engine_calls: list[str]) -> None:
    results(project, options(project, cache_dir=None))
    results(project, options(project, cache_dir=None))
    assert len(engine_calls) == 6
    assert not (project / cache.CACHE_FOLDER).exists()


def test_the_walk_skips_the_cache_folder(project: Path) -> None:
    results(project, options(project))
    folder = project / cache.CACHE_FOLDER
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    (folder / "stray.py").write_text(FINDS)
    assert sorted(item.path.name for item in discover([project], (), (".py",))) == ["a.py", "b.py", "c.py"]


def test_cli_rerun_is_identical_and_no_cache_flag(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (project / "pyproject.toml").write_text("[tool.outplace]\n")
    sub = project / "pkg"
    sub.mkdir()
    (sub / "d.py").write_text(FINDS)
    first = cli("check", "--format", "json", ".", cwd=project)
    second = cli("check", "--format", "json", ".", cwd=project)
    assert first.code == second.code == 1
    assert first.stdout == second.stdout
    assert (project / cache.CACHE_FOLDER).is_dir()  # beside the configuration
    checked_sub = cli("check", "pkg/d.py", cwd=project)
    assert checked_sub.code == 1 and not (sub / cache.CACHE_FOLDER).exists()
    bare = project / "bare"
    bare.mkdir()
    (bare / "e.py").write_text(FINDS)
    (bare / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert cli("check", "--no-cache", str(bare), cwd=project).code == 1
    assert not (bare / cache.CACHE_FOLDER).exists()


def test_another_outplace_is_another_key(project: Path, engine_calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    first = results(project, options(project))
    assert cache.code_fingerprint() == cache.code_fingerprint() and len(cache.code_fingerprint()) == 64
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "an edited rule")
    engine_calls.clear()
    assert results(project, options(project)) == first
    assert len(engine_calls) == 3
