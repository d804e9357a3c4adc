"""Unified diffs: headers, newline markers, CRLF, encodings; accepted by git apply and patch -p1."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from fixer.core.diff import DiffError, check, diff_bytes, diff_path, lines_of, unified_diff

OLD = "import torch\ndef f(x):\n    h = torch.sigmoid(x)\n    h += 1\n    return h\n"
NEW = OLD.replace("h += 1", "h = h + 1")


def test_headers_and_hunk() -> None:
    assert unified_diff("pkg/model.py", OLD, NEW) == (
        "--- a/pkg/model.py\n"
        "+++ b/pkg/model.py\n"
        "@@ -1,5 +1,5 @@\n"
        " import torch\n"
        " def f(x):\n"
        "     h = torch.sigmoid(x)\n"
        "-    h += 1\n"
        "+    h = h + 1\n"
        "     return h\n"
    )


def test_equal_texts_give_no_diff() -> None:
    assert unified_diff("model.py", OLD, OLD) == ""
    assert diff_bytes("model.py", OLD, OLD, "utf-8") == b""


def test_no_newline_at_end_of_file_marker() -> None:
    old, new = OLD.rstrip("\n"), NEW.rstrip("\n")
    diff = unified_diff("m.py", old.replace("return h", "return h + 0"), new)
    assert "-    return h + 0\n\\ No newline at end of file\n+    h = h + 1\n" in diff
    assert diff.endswith("+    return h\n\\ No newline at end of file\n")
    context = unified_diff("m.py", old, new)  # the unchanged last line is context on both sides
    assert context.endswith("     return h\n\\ No newline at end of file\n")


def test_crlf_lines_are_kept() -> None:
    diff = unified_diff("m.py", OLD.replace("\n", "\r\n"), NEW.replace("\n", "\r\n"))
    assert "-    h += 1\r\n+    h = h + 1\r\n" in diff
    assert diff.startswith("--- a/m.py\n+++ b/m.py\n@@ -1,5 +1,5 @@\n")


def test_lines_split_on_newline_only() -> None:
    assert lines_of("a\rb\x0cc\u2028d\r\ne") == ["a\rb\x0cc\u2028d\r\n", "e"]


@pytest.mark.parametrize(
    ("given", "shown"),
    [("model.py", "model.py"), ("./pkg/model.py", "pkg/model.py"), ("pkg\\x.py", "pkg\\x.py")],
)
def test_diff_path(given: str, shown: str) -> None:
    assert diff_path(given) == shown


def test_absolute_path_is_made_relative_to_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert diff_path(str(tmp_path / "pkg" / "model.py")) == "pkg/model.py"


def test_check_rejects_a_diff_that_does_not_give_the_new_text() -> None:
    diff = unified_diff("m.py", OLD, NEW)
    with pytest.raises(DiffError):
        check(diff, lines_of(OLD), NEW + "extra\n")
    with pytest.raises(DiffError):
        check(diff, lines_of(OLD.replace("import torch", "import numpy")), NEW)
    with pytest.raises(DiffError):
        check(diff + diff.replace("m.py", "n.py"), lines_of(OLD), NEW)


def test_latin1_diff_is_encoded_in_latin1() -> None:
    old = "# -*- coding: latin-1 -*-\n" + OLD.replace("    h += 1\n", "    h += 1\n    # Größe\n")
    data = diff_bytes("m.py", old, old.replace("h += 1", "h = h + 1"), "iso-8859-1")
    assert "# Größe".encode("latin-1") in data
    assert "Größe".encode() not in data


CASES = {
    "lf.py": (OLD.encode(), "utf-8"),
    "crlf.py": (OLD.replace("\n", "\r\n").encode(), "utf-8"),
    "no_newline.py": (OLD.rstrip("\n").encode(), "utf-8"),
    "latin1.py": (("# coding: latin-1\n# Größe\n" + OLD).encode("latin-1"), "iso-8859-1"),
    "bom.py": (b"\xef\xbb\xbf" + OLD.encode(), "utf-8-sig"),
    "one_line.py": (b"h += 1", "utf-8"),
}


@pytest.mark.parametrize("tool", ["git", "patch"])
def test_patch_tools_accept_and_apply_the_diff(tmp_path: Path, tool: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    expected, patch = {}, b""
    for name, (data, encoding) in CASES.items():
        (tmp_path / name).write_bytes(data)
        old = data.decode(encoding)
        new = old.replace("h += 1", "h = h + 1")
        expected[name] = new.encode(encoding)
        patch += diff_bytes(name, old, new, encoding)
    (tmp_path / "fix.patch").write_bytes(patch)
    if tool == "git":
        commands = [["git", "apply", "--check", "fix.patch"], ["git", "apply", "fix.patch"]]
    else:
        commands = [["patch", "-p1", "--dry-run", "-i", "fix.patch"], ["patch", "-p1", "-i", "fix.patch"]]
    for command in commands:
        subprocess.run(command, cwd=tmp_path, check=True, capture_output=True, env={**os.environ, "LC_ALL": "C"})
    for name, data in expected.items():
        assert (tmp_path / name).read_bytes() == data, name
