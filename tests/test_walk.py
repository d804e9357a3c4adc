"""Finding files: git's ignore rules, default skips, explicit paths, symlinks and errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fixer.core.types import ErrorKind
from fixer.files.walk import WalkItem, discover


def make_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def found(items: list[WalkItem], root: Path) -> list[str]:
    """The files found, relative to `root`; fails on any error item."""
    assert [item for item in items if item.error] == []
    return [item.path.relative_to(root).as_posix() for item in items]


def test_non_python_files_in_folders_are_ignored(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": "", "b.txt": "", "c.pyi": "", "pkg/d.py": "", "pkg/e.cfg": ""})
    assert found(discover([tmp_path]), tmp_path) == ["a.py", "pkg/d.py"]


def test_other_extensions_on_request(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": "", "b.pyi": "", "c.txt": ""})
    items = discover([tmp_path], extensions=(".py", ".pyi"))
    assert found(items, tmp_path) == ["a.py", "b.pyi"]


def test_paths_are_joined_under_the_given_folder_not_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path, {"src/a.py": "", "src/pkg/b.py": ""})
    monkeypatch.chdir(tmp_path)
    assert discover([Path("src")]) == [WalkItem(Path("src/a.py")), WalkItem(Path("src/pkg/b.py"))]


def test_nested_gitignore_with_negation(tmp_path: Path) -> None:
    git_init(tmp_path)
    make_tree(
        tmp_path,
        {
            ".gitignore": "gen_*.py\n",
            "gen_top.py": "",
            "main.py": "",
            "pkg/.gitignore": "!gen_keep.py\nlocal.py\n",
            "pkg/gen_keep.py": "",
            "pkg/gen_drop.py": "",
            "pkg/local.py": "",
            "other/local.py": "",  # pkg's rule does not reach a sibling
            "pkg/sub/.gitignore": "/anchored.py\n",
            "pkg/sub/anchored.py": "",
            "pkg/sub/deeper/anchored.py": "",  # anchored to pkg/sub only
        },
    )
    assert found(discover([tmp_path]), tmp_path) == [
        "main.py",
        "other/local.py",
        "pkg/gen_keep.py",
        "pkg/sub/deeper/anchored.py",
    ]


def test_ignored_folder_is_not_entered(tmp_path: Path) -> None:
    make_tree(tmp_path, {".gitignore": "generated/\n", "generated/a.py": "", "generated.py": ""})
    assert found(discover([tmp_path]), tmp_path) == ["generated.py"]


def test_git_info_exclude(tmp_path: Path) -> None:
    git_init(tmp_path)
    make_tree(tmp_path, {"keep.py": "", "scratch/a.py": "", "pkg/notes.py": ""})
    (tmp_path / ".git/info/exclude").write_text("scratch/\nnotes.py\n")
    assert found(discover([tmp_path]), tmp_path) == ["keep.py"]
    assert found(discover([tmp_path / "pkg"]), tmp_path) == []


def test_gitignore_above_the_given_folder(tmp_path: Path) -> None:
    git_init(tmp_path)
    make_tree(
        tmp_path,
        {
            ".gitignore": "secret_*.py\n/src/pkg/gen.py\n",
            "src/.gitignore": "*_tmp.py\n",
            "src/pkg/a.py": "",
            "src/pkg/gen.py": "",
            "src/pkg/secret_key.py": "",
            "src/pkg/b_tmp.py": "",
        },
    )
    assert found(discover([tmp_path / "src/pkg"]), tmp_path) == ["src/pkg/a.py"]


def test_gitignore_above_the_repository_root_is_not_read(tmp_path: Path) -> None:
    make_tree(tmp_path, {".gitignore": "*.py\n", "repo/a.py": ""})
    git_init(tmp_path / "repo")
    assert found(discover([tmp_path / "repo"]), tmp_path) == ["repo/a.py"]


def test_default_skips(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "app.py": "",
            "env/pyvenv.cfg": "home = /usr/bin\n",  # a virtualenv under any name
            "env/lib/site.py": "",
            "build/lib/app.py": "",
            "dist/app.py": "",
            "__pycache__/app.py": "",
            ".tox/py/x.py": "",
            "node_modules/x.py": "",
            "outplace.egg-info/x.py": "",
            "pkg/.mypy_cache/x.py": "",
            "pkg/mod.py": "",
        },
    )
    assert found(discover([tmp_path]), tmp_path) == ["app.py", "pkg/mod.py"]


def test_explicit_folder_is_walked_even_if_its_name_is_skipped(tmp_path: Path) -> None:
    make_tree(tmp_path, {"build/gen.py": "", "build/dist/x.py": ""})
    assert found(discover([tmp_path / "build"]), tmp_path) == ["build/gen.py"]


def test_explicit_file_is_always_processed(tmp_path: Path) -> None:
    git_init(tmp_path)
    make_tree(tmp_path, {".gitignore": "ignored.py\nnotes.txt\n", "ignored.py": "", "notes.txt": ""})
    items = discover([tmp_path / "ignored.py", tmp_path / "notes.txt"], exclude=["*.py"])
    assert found(items, tmp_path) == ["ignored.py", "notes.txt"]
    assert found(discover([tmp_path]), tmp_path) == []


def test_exclude_globs(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "a.py": "",
            "test_a.py": "",
            "pkg/test_b.py": "",
            "pkg/b.py": "",
            "migrations/0001.py": "",
            "pkg/migrations/0002.py": "",
            "docs/conf.py": "",
        },
    )
    items = discover([tmp_path], exclude=["test_*.py", "migrations", "/docs"])
    assert found(items, tmp_path) == ["a.py", "pkg/b.py"]


def test_exclude_matches_paths_relative_to_the_given_folder(tmp_path: Path) -> None:
    make_tree(tmp_path, {"pkg/gen/a.py": "", "gen/b.py": "", "pkg/c.py": ""})
    assert found(discover([tmp_path], exclude=["pkg/gen/"]), tmp_path) == ["gen/b.py", "pkg/c.py"]


def test_force_root_applies_exclude_to_paths_named_explicitly(tmp_path: Path) -> None:
    make_tree(tmp_path, {"pkg/gen/a.py": "", "gen/b.py": "", "pkg/c.py": "", "docs/d.py": "", "pkg/docs/e.py": ""})
    named = [tmp_path / p for p in ("pkg/gen/a.py", "gen/b.py", "pkg/c.py", "docs/d.py", "pkg/docs/e.py")]
    exclude = ["pkg/gen/", "/docs"]  # a folder above the file; an anchored pattern
    assert len(discover(named, exclude=exclude)) == 5  # named: taken, as Ruff does without --force-exclude
    forced = discover(named, exclude=exclude, force_root=tmp_path)
    # the files a walk of the root keeps, no more, no fewer
    assert found(forced, tmp_path) == found(discover([tmp_path], exclude=exclude), tmp_path) == ["gen/b.py", "pkg/c.py"]
    assert discover([tmp_path / "pkg" / "gen"], exclude=exclude, force_root=tmp_path) == []  # a named folder too


def test_directory_named_like_a_python_file_is_walked(tmp_path: Path) -> None:
    make_tree(tmp_path, {"x.py/inner.py": "", "x.py/data.txt": ""})
    assert found(discover([tmp_path]), tmp_path) == ["x.py/inner.py"]


def test_broken_symlink_in_a_folder_is_an_error(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": ""})
    (tmp_path / "broken.py").symlink_to(tmp_path / "gone.py")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "gone.txt")  # not a .py name: not ours
    items = discover([tmp_path])
    assert [item.path for item in items] == [tmp_path / "a.py", tmp_path / "broken.py"]
    error = items[1].error
    assert error is not None
    assert (error.kind, error.message) == (ErrorKind.IO, "broken symbolic link")


def test_file_symlink_is_followed_and_deduplicated(tmp_path: Path) -> None:
    make_tree(tmp_path, {"pkg/real.py": ""})
    (tmp_path / "alias.py").symlink_to(tmp_path / "pkg/real.py")
    (tmp_path / "outside.py").symlink_to(tmp_path / "pkg/real.py")
    items = discover([tmp_path])
    assert found(items, tmp_path) == ["alias.py"]  # one file, first path in sort order


def test_symlink_loop_terminates_without_duplicates(tmp_path: Path) -> None:
    make_tree(tmp_path, {"pkg/a.py": "", "pkg/sub/b.py": ""})
    (tmp_path / "pkg/sub/up").symlink_to(tmp_path / "pkg")  # a folder link back to its parent
    (tmp_path / "pkg/self.py").symlink_to(tmp_path / "pkg/self.py")
    items = discover([tmp_path / "pkg"])
    assert [item.path for item in items] == [
        tmp_path / "pkg/a.py",
        tmp_path / "pkg/self.py",
        tmp_path / "pkg/sub/b.py",
    ]
    assert items[1].error is not None and items[1].error.message == "symbolic link loop"


def test_overlapping_paths_give_each_file_once(tmp_path: Path) -> None:
    make_tree(tmp_path, {"pkg/a.py": "", "pkg/b.py": ""})
    items = discover([tmp_path / "pkg", tmp_path / "pkg/a.py", tmp_path])
    assert found(items, tmp_path) == ["pkg/a.py", "pkg/b.py"]


def test_nonexistent_path_is_an_error(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": ""})
    items = discover([tmp_path / "missing.py", tmp_path / "a.py"])
    assert [item.path for item in items] == [tmp_path / "a.py", tmp_path / "missing.py"]
    assert items[0].error is None
    error = items[1].error
    assert error is not None
    assert (error.kind, error.message) == (ErrorKind.IO, "no such file or directory")


def test_order_is_deterministic(tmp_path: Path) -> None:
    names = ["z.py", "a.py", "m/b.py", "m/a.py", "B.py", "a_b.py", "a/b.py"]
    make_tree(tmp_path, dict.fromkeys(names, ""))
    items = discover([tmp_path])
    paths = [str(item.path) for item in items]
    assert paths == sorted(paths)
    assert found(items, tmp_path) == ["B.py", "a.py", "a/b.py", "a_b.py", "m/a.py", "m/b.py", "z.py"]
    assert discover([tmp_path / "m", tmp_path]) == items
