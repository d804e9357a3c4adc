"""`outplace fix -i`, driven for real: `python -m fixer` in a pseudo-terminal, answered key by key.

pexpect runs the command under a pty (so stdin is a terminal and keys are read raw, without
Enter) and waits for each prompt; every test then compares the files byte for byte.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pexpect
import pytest

from tests.conftest import Cli

PROMPT = re.escape("[y,n,a,d,r,A,e,?,q]")
HEADER = re.compile(r"^(?P<path>\S+):(?P<line>\d+)  (?P<rule>IP\d{3}) (?P<name>[a-z-]+)  \[(error|warning), (?P<fix>safe fix|unsafe fix|display-only)\]\r?$", re.M)

# Two safe fixes in each file: IP101 then IP102 in A, IP102 then IP101 in B.
A = """\
import torch
def f(x: torch.Tensor):
    h = torch.sigmoid(x)
    h += 1
    h.mul_(2)
    return h
"""
A_101 = A.replace("h += 1", "h = h + 1")
A_102 = A.replace("h.mul_(2)", "h = h.mul(2)")
A_BOTH = A_101.replace("h.mul_(2)", "h = h.mul(2)")

B = """\
import torch
def g(y: torch.Tensor):
    e = torch.exp(y)
    e.add_(1)
    e -= 2
    return e
"""
B_102 = B.replace("e.add_(1)", "e = e.add(1)")
B_101 = B.replace("e -= 2", "e = e - 2")
B_BOTH = B_102.replace("e -= 2", "e = e - 2")


def write_files(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).write_bytes(text.encode())


def spawn(folder: Path, *args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
    """`python -m fixer fix -i ARGS` in a pty in `folder`, colours off unless `env` turns them on."""
    environ = {**os.environ, "NO_COLOR": "1", "TERM": "xterm", **(env or {})}
    environ = {k: v for k, v in environ.items() if v != ""}
    return pexpect.spawn(
        sys.executable, ["-m", "fixer", "fix", "-i", *args], cwd=str(folder), env=environ,
        encoding="utf-8", timeout=60, dimensions=(50, 250),
    )


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def answer(child: pexpect.spawn, keys: str, raw: bool = False) -> list[str]:
    """Send each key after its prompt; the text shown before each prompt (styles removed unless `raw`)."""
    shown = []
    for key in keys:
        child.expect(PROMPT)
        shown.append(child.before if raw else ANSI.sub("", child.before))
        child.send(key)
    return shown


def finish(child: pexpect.spawn) -> tuple[int | None, str]:
    """Wait for the command to end: its exit status and what it printed after the last answer."""
    child.expect(pexpect.EOF)
    rest = ANSI.sub("", child.before)
    child.close()
    return child.exitstatus, rest


def headers(texts: Sequence[str]) -> list[tuple[str, int, str]]:
    return [(m["path"], int(m["line"]), m["rule"]) for text in texts for m in HEADER.finditer(text)]


def contents(folder: Path, *names: str) -> list[bytes]:
    return [(folder / name).read_bytes() for name in names]


@pytest.fixture
def two_files(tmp_path: Path) -> Path:
    write_files(tmp_path, {"a.py": A, "b.py": B})
    return tmp_path


# the answers --------------------------------------------------------------------------------------
def test_yes_and_no_across_two_files(two_files: Path) -> None:
    child = spawn(two_files, ".")
    shown = answer(child, "ynny")
    code, rest = finish(child)
    assert headers(shown) == [("a.py", 4, "IP101"), ("a.py", 5, "IP102"), ("b.py", 4, "IP102"), ("b.py", 5, "IP101")]
    assert contents(two_files, "a.py", "b.py") == [A_101.encode(), B_101.encode()]
    assert "Applied 2 changes, skipped 2; wrote 2 files." in rest
    assert code == 1  # findings were left in the code


def test_header_reason_and_diff_of_just_this_change(cli: Cli, two_files: Path) -> None:
    messages = [f["message"] for f in json.loads(cli("check", "--format", "json", "a.py", cwd=two_files).stdout)["findings"]]
    child = spawn(two_files, "a.py")
    first, second = answer(child, "yy")
    finish(child)
    assert HEADER.search(first)["fix"] == "safe fix"  # type: ignore[index]
    reason = first[HEADER.search(first).end() :].lstrip("\r\n").splitlines()[0]  # type: ignore[union-attr]
    assert reason.rstrip(".") == messages[0].rstrip(".")  # the finding's one-sentence reason, under the header
    assert "-    h += 1\r\n+    h = h + 1\r\n" in first
    assert "h.mul_" in first and "+    h = h.mul(2)" not in first  # context only: the other change is not in this diff
    # The second diff is shown on top of the accepted first change, at its line in that text.
    assert "     h = h + 1\r\n-    h.mul_(2)\r\n+    h = h.mul(2)\r\n" in second


def test_a_applies_the_rest_of_the_file_only(two_files: Path) -> None:
    child = spawn(two_files, ".")
    shown = answer(child, "ann")
    code, _ = finish(child)
    assert headers(shown) == [("a.py", 4, "IP101"), ("b.py", 4, "IP102"), ("b.py", 5, "IP101")]
    assert contents(two_files, "a.py", "b.py") == [A_BOTH.encode(), B.encode()]
    assert code == 1


def test_d_skips_the_rest_of_the_file_only(two_files: Path) -> None:
    child = spawn(two_files, ".")
    shown = answer(child, "dyy")
    code, _ = finish(child)
    assert headers(shown) == [("a.py", 4, "IP101"), ("b.py", 4, "IP102"), ("b.py", 5, "IP101")]
    assert contents(two_files, "a.py", "b.py") == [A.encode(), B_BOTH.encode()]


def test_r_skips_the_rule_everywhere_after(two_files: Path) -> None:
    child = spawn(two_files, ".")
    shown = answer(child, "ryy")
    code, rest = finish(child)
    assert headers(shown) == [("a.py", 4, "IP101"), ("a.py", 5, "IP102"), ("b.py", 4, "IP102")]
    assert contents(two_files, "a.py", "b.py") == [A_102.encode(), B_102.encode()]
    assert "IP101 augmented-assignment: 0 applied, 2 skipped" in rest


def test_capital_a_applies_everything_that_remains(two_files: Path) -> None:
    child = spawn(two_files, ".")
    shown = answer(child, "nA")
    code, rest = finish(child)
    assert len(shown) == 2
    assert contents(two_files, "a.py", "b.py") == [A_102.encode(), B_BOTH.encode()]
    assert "Applied 3 changes, skipped 1; wrote 2 files." in rest


def test_all_applied_exits_0(two_files: Path) -> None:
    child = spawn(two_files, ".")
    answer(child, "A")
    code, _ = finish(child)
    assert contents(two_files, "a.py", "b.py") == [A_BOTH.encode(), B_BOTH.encode()]
    assert code == 0


def test_q_writes_only_what_was_accepted(two_files: Path) -> None:
    child = spawn(two_files, ".")
    answer(child, "yq")
    code, rest = finish(child)
    assert contents(two_files, "a.py", "b.py") == [A_101.encode(), B.encode()]
    assert "Stopped early: 3 changes not reviewed." in rest
    assert code == 1


def test_question_mark_and_x_explain_and_ask_again(two_files: Path) -> None:
    child = spawn(two_files, "a.py")
    shown = answer(child, "?xnn")
    finish(child)
    assert "## Why is this risky" in shown[1] and "## Fix safety" in shown[1]
    assert "## Why is this risky" in shown[2]
    # the same change, asked again, and shown again under the help, which scrolled it away
    assert headers(shown) == [("a.py", 4, "IP101"), ("a.py", 4, "IP101"), ("a.py", 4, "IP101"), ("a.py", 5, "IP102")]
    after_help = shown[1][shown[1].index("## Fix safety") :]
    assert HEADER.search(after_help) and "-    h += 1" in after_help and "+    h = h + 1" in after_help
    assert contents(two_files, "a.py") == [A.encode()]


def test_unknown_key_lists_the_keys_and_asks_again(two_files: Path) -> None:
    child = spawn(two_files, "a.py")
    shown = answer(child, "zyn")
    finish(child)
    assert "r - skip this rule everywhere from now on" in shown[1]
    assert contents(two_files, "a.py") == [A_101.encode()]


# unsafe, display-only, overlapping fixes -----------------------------------------------------------
MIXED = """\
import torch
def f(x: torch.Tensor):
    x += 1
    x.normal_()
    h = torch.sigmoid(x)
    h.mul_(2)
    return h
"""


def test_unsafe_is_marked_display_only_is_shown_and_skipped(tmp_path: Path) -> None:
    write_files(tmp_path, {"m.py": MIXED})
    child = spawn(tmp_path, "m.py")
    shown = answer(child, "yy")
    code, rest = finish(child)
    assert "m.py:6  IP102 inplace-method  [error, safe fix]" in shown[0]  # errors are asked first
    assert "[warning, unsafe fix]" in shown[1] and "UNSAFE fix:" in shown[1]
    assert "m.py:4  IP102 inplace-method  [warning, display-only]" in rest
    assert "display-only: no automatic fix; shown and skipped." in rest
    assert headers([*shown, rest]) == [("m.py", 6, "IP102"), ("m.py", 3, "IP101"), ("m.py", 4, "IP102")]
    expected = MIXED.replace("x += 1", "x = x + 1").replace("h.mul_(2)", "h = h.mul(2)")
    assert contents(tmp_path, "m.py") == [expected.encode()]
    assert "1 display-only" in rest


def test_unsafe_prompt_says_unsafe(tmp_path: Path) -> None:
    write_files(tmp_path, {"m.py": MIXED})
    child = spawn(tmp_path, "m.py")
    child.expect(r"Apply this (UNSAFE )?change\? " + PROMPT)
    assert child.match.group(1) is None  # the error (safe fix) is asked first
    child.send("n")
    child.expect(r"Apply this (UNSAFE )?change\? " + PROMPT)
    assert child.match.group(1) == "UNSAFE "
    child.send("n")
    finish(child)
    assert contents(tmp_path, "m.py") == [MIXED.encode()]


def test_capital_a_still_asks_unsafe_fixes_without_unsafe_flag(tmp_path: Path) -> None:
    text = A + "def k(x: torch.Tensor):\n    x += 1\n    return x\n"
    write_files(tmp_path, {"m.py": text})
    child = spawn(tmp_path, "m.py")
    shown = answer(child, "An")
    finish(child)
    assert headers(shown) == [("m.py", 4, "IP101"), ("m.py", 8, "IP101")]
    assert "UNSAFE" in shown[1]
    assert contents(tmp_path, "m.py") == [(A_BOTH + "def k(x: torch.Tensor):\n    x += 1\n    return x\n").encode()]


def test_capital_a_applies_unsafe_fixes_with_unsafe_flag(tmp_path: Path) -> None:
    tail = "def k(x: torch.Tensor):\n    x += 1\n    return x\n"
    write_files(tmp_path, {"m.py": A + tail})
    child = spawn(tmp_path, "--unsafe-fixes", "m.py")
    shown = answer(child, "A")
    finish(child)
    assert len(shown) == 1
    assert contents(tmp_path, "m.py") == [(A_BOTH + tail.replace("x += 1", "x = x + 1")).encode()]


NESTED = """\
import torch
def f(x: torch.Tensor, y: torch.Tensor):
    h = torch.sigmoid(x)
    g = torch.exp(x)  # of x's dtype, as h is: no cast
    h += g.mul_(2)
    return h, g
"""


def test_overlapping_fix_is_asked_again_in_the_rewritten_statement(tmp_path: Path) -> None:
    write_files(tmp_path, {"n.py": NESTED})
    child = spawn(tmp_path, "n.py")
    shown = answer(child, "yy")
    code, _ = finish(child)
    # IP101 and IP102 cover the same statement; after IP101 is applied, IP102 is planned again.
    assert headers(shown) == [("n.py", 5, "IP101"), ("n.py", 5, "IP102")]
    assert "-    h = h + g.mul_(2)\r\n+    g = g.mul(2)\r\n+    h = h + g\r\n" in shown[1]
    expected = NESTED.replace("    h += g.mul_(2)\n", "    g = g.mul(2)\n    h = h + g\n")
    assert contents(tmp_path, "n.py") == [expected.encode()]
    assert code == 0


def test_a_skipped_rule_is_not_asked_again_in_the_rewritten_statement(tmp_path: Path) -> None:
    write_files(tmp_path, {"n.py": NESTED})
    child = spawn(tmp_path, "n.py")
    shown = answer(child, "ny")
    finish(child)
    # The IP102 fix hoists `g = g.mul(2)` and leaves `h += g`: IP101 was refused here, so not asked again.
    assert headers(shown) == [("n.py", 5, "IP101"), ("n.py", 5, "IP102")]
    expected = NESTED.replace("    h += g.mul_(2)\n", "    g = g.mul(2)\n    h += g\n")
    assert contents(tmp_path, "n.py") == [expected.encode()]


# $EDITOR --------------------------------------------------------------------------------------------
def editor(folder: Path, body: str) -> dict[str, str]:
    """An EDITOR that runs `body` with `path` (the file to edit) and `text` (its content) bound."""
    script = folder / "editor_script.py"
    script.write_text(
        "import sys\npath = sys.argv[1]\ntext = open(path).read()\n" + body + "\n"
        "open(path, 'w').write(text)\n"
    )
    return {"EDITOR": f"{sys.executable} {script}", "VISUAL": ""}


def test_e_takes_the_edited_proposal(two_files: Path) -> None:
    env = editor(two_files, "text = text.replace('h = h + 1', 'h = h + 1  # reviewed')")
    child = spawn(two_files, ".", env=env)
    shown = answer(child, "enn")
    code, rest = finish(child)
    # the edit did not swallow the next change (`h.mul_(2)` on the new `h + 1` is harmless: no longer asked)
    assert headers(shown) == [("a.py", 4, "IP101"), ("b.py", 4, "IP102"), ("b.py", 5, "IP101")]
    assert contents(two_files, "a.py", "b.py") == [A.replace("h += 1", "h = h + 1  # reviewed").encode(), B.encode()]
    assert "Applied 1 change (1 edited), skipped 2" in rest


def test_e_with_code_that_does_not_parse_asks_again(two_files: Path) -> None:
    env = editor(two_files, "text = text.replace('h = h + 1', 'h = = 1')")
    child = spawn(two_files, "a.py", env=env)
    shown = answer(child, "eyn")
    finish(child)
    assert "the edited code does not parse (line 4" in shown[1]
    assert headers(shown[1:2]) == []  # asked again about the same change, not the next one
    assert contents(two_files, "a.py") == [A_101.encode()]


# interruptions ------------------------------------------------------------------------------------
def test_ctrl_c_midway_leaves_the_open_file_unchanged(two_files: Path) -> None:
    child = spawn(two_files, ".")
    answer(child, "yyy")  # a.py done and written; one change accepted in b.py
    child.expect(PROMPT)
    child.sendintr()  # ^C: in raw mode it arrives as a byte
    code, rest = finish(child)
    assert contents(two_files, "a.py", "b.py") == [A_BOTH.encode(), B.encode()]
    assert "interrupted; b.py left unchanged; 1 file written before." in rest
    assert code == 130


@pytest.mark.xfail(strict=False, reason="known bug: under the full suite (not alone) the child sometimes ignores a "
                   "SIGINT sent while it waits at the prompt and never exits; being investigated (issue 15 closing note)")
def test_sigint_midway_leaves_the_open_file_unchanged(two_files: Path) -> None:
    child = spawn(two_files, ".")
    answer(child, "nyn")  # b.py's first change declined: its second (`e -= 2` on exp's output) is asked
    child.expect(PROMPT)
    child.kill(signal.SIGINT)
    child.timeout = 20  # the known hang costs the suite 20 s, not the spawn's 60
    try:
        code, _ = finish(child)
    finally:
        child.terminate(force=True)
    assert contents(two_files, "a.py", "b.py") == [A_102.encode(), B.encode()]
    assert code == 130


def test_sighup_midway_leaves_the_open_file_unchanged(two_files: Path) -> None:
    child = spawn(two_files, ".")
    answer(child, "yyy")
    child.expect(PROMPT)
    child.kill(signal.SIGHUP)
    code, _ = finish(child)
    assert contents(two_files, "a.py", "b.py") == [A_BOTH.encode(), B.encode()]
    assert code == 129
    assert not [p for p in two_files.iterdir() if p.name.endswith(".outplace-tmp")]


def test_closed_terminal_leaves_the_open_file_unchanged(two_files: Path) -> None:
    child = spawn(two_files, ".")
    answer(child, "yyy")
    child.expect(PROMPT)
    os.close(child.child_fd)  # the terminal goes away: the kernel hangs up on the session
    for _ in range(600):  # wait for the exit, whatever it takes (not a timing assertion)
        pid, status = os.waitpid(child.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.1)
    else:
        os.kill(child.pid, signal.SIGKILL)
        pytest.fail("fix -i did not stop when its terminal was closed")
    assert contents(two_files, "a.py", "b.py") == [A_BOTH.encode(), B.encode()]
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 129


# no terminal, many files, progress, colour -------------------------------------------------------
def test_refuses_without_a_terminal(cli: Cli, two_files: Path) -> None:
    result = cli("fix", "-i", ".", cwd=two_files, stdin=b"y\ny\n")
    assert result.code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "terminal" in result.stderr and "`outplace diff`" in result.stderr and "`outplace fix`" in result.stderr
    assert contents(two_files, "a.py", "b.py") == [A.encode(), B.encode()]


def test_refuses_standard_input(tmp_path: Path) -> None:
    child = spawn(tmp_path, "-")
    code, rest = finish(child)
    assert code == 2
    assert "cannot review standard input" in rest


def test_thirty_files_planned_by_two_workers_in_path_order(tmp_path: Path) -> None:
    names = [f"m{i:02d}.py" for i in range(30)]
    write_files(tmp_path, {name: A for name in reversed(names)})
    keys = "".join("yn"[i % 2] + "n" for i in range(30))  # IP101 on even files only, never IP102
    child = spawn(tmp_path, "-j", "2", ".")
    shown = answer(child, keys)
    code, rest = finish(child)
    assert [h[0] for h in headers(shown)] == [name for name in names for _ in range(2)]
    assert contents(tmp_path, *names) == [(A if i % 2 else A_101).encode() for i in range(30)]
    assert "wrote 15 files." in rest
    assert "planning" in shown[0]  # the progress bar, on the terminal's stderr


def test_diff_is_coloured_on_a_terminal(two_files: Path) -> None:
    child = spawn(two_files, "a.py", env={"NO_COLOR": ""})
    shown = answer(child, "nn", raw=True)
    finish(child)
    assert re.search(r"\x1b\[[0-9;]*32m\+    h = h \+ 1", shown[0])  # green added line
    assert re.search(r"\x1b\[[0-9;]*31m-    h \+= 1", shown[0])  # red removed line


def test_nothing_to_review(tmp_path: Path) -> None:
    write_files(tmp_path, {"clean.py": "import torch\nx = torch.ones(2)\n"})
    child = spawn(tmp_path, ".")
    code, rest = finish(child)
    assert code == 0
    assert "Nothing to review in 1 file." in rest


def test_file_changed_on_disk_during_the_review_is_not_written(two_files: Path) -> None:
    child = spawn(two_files, ".")
    answer(child, "yyy")
    child.expect(PROMPT)
    (two_files / "b.py").write_bytes(B.encode() + b"# edited meanwhile\n")
    child.send("y")
    code, rest = finish(child)
    assert contents(two_files, "a.py", "b.py") == [A_BOTH.encode(), B.encode() + b"# edited meanwhile\n"]
    assert "b.py: not written: the file changed on disk during the review" in rest
    assert code == 2


def test_a_file_that_does_not_parse_is_reported_and_the_others_reviewed(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.py": A, "broken.py": "import torch\ndef f(:\n    pass\n"})
    child = spawn(tmp_path, ".")
    shown = answer(child, "A")
    code, _ = finish(child)
    assert re.search(r"broken\.py:2: parse error", shown[0])
    assert contents(tmp_path, "a.py", "broken.py") == [A_BOTH.encode(), b"import torch\ndef f(:\n    pass\n"]
    assert code == 2


def git(folder: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=folder, check=True, capture_output=True)


def test_files_git_cannot_undo_are_not_reviewed_without_allow_dirty(two_files: Path) -> None:
    git(two_files, "init", "-q")
    git(two_files, "add", "a.py")
    git(two_files, "commit", "-q", "-m", "a")  # b.py stays untracked
    child = spawn(two_files, ".")
    shown = answer(child, "yy")
    code, _ = finish(child)
    assert "b.py: not reviewed (2 changes): is untracked" in shown[0]
    assert headers(shown) == [("a.py", 4, "IP101"), ("a.py", 5, "IP102")]
    assert contents(two_files, "a.py", "b.py") == [A_BOTH.encode(), B.encode()]
    assert code == 2


def test_allow_dirty_reviews_untracked_files(two_files: Path) -> None:
    git(two_files, "init", "-q")
    child = spawn(two_files, "--allow-dirty", ".")
    answer(child, "A")
    code, _ = finish(child)
    assert contents(two_files, "a.py", "b.py") == [A_BOTH.encode(), B_BOTH.encode()]
    assert code == 0


NOTEBOOK_HEADER = re.compile(r"^(?P<path>\S+):cell (?P<cell>\d+):(?P<line>\d+)  (?P<rule>IP\d{3}) ", re.M)


def jupyter(folder: Path, *sources: str) -> tuple[Path, bytes]:
    """A notebook as Jupyter writes it: a markdown cell first, then `sources` as code cells."""
    import nbformat

    cells = [nbformat.v4.new_markdown_cell("# Notes"), *(nbformat.v4.new_code_cell(source) for source in sources)]
    path = folder / "nb.ipynb"
    path.write_text(nbformat.writes(nbformat.v4.new_notebook(cells=cells)))
    return path, path.read_bytes()


def test_notebook_cells_are_reviewed_like_a_file(tmp_path: Path) -> None:
    path, before = jupyter(tmp_path, "import torch", A.removeprefix("import torch\n").rstrip("\n"))
    write_files(tmp_path, {"b.py": B})
    child = spawn(tmp_path, ".")
    shown = answer(child, "yyyn")  # b.py comes first, in path order
    code, rest = finish(child)
    # cell 3, counted as Jupyter shows them; its lines, not the lines of the joined cells
    assert [(m["path"], int(m["cell"]), int(m["line"]), m["rule"]) for t in shown for m in NOTEBOOK_HEADER.finditer(t)] == [
        ("nb.ipynb", 3, 3, "IP101"), ("nb.ipynb", 3, 4, "IP102")]
    assert headers(shown) == [("b.py", 4, "IP102"), ("b.py", 5, "IP101")]
    assert "cell 3\r\n@@ -1,5 +1,5 @@" in shown[2] and "-    h += 1\r\n+    h = h + 1" in shown[2]
    assert "outplace-cell" not in "".join(shown)
    # only the accepted change, in the cell's `source` line: every other byte as Jupyter wrote it
    expected = before.replace(b'"    h += 1\\n",', b'"    h = h + 1\\n",')
    assert expected != before and path.read_bytes() == expected
    assert contents(tmp_path, "b.py") == [B_BOTH.encode()]
    assert "Applied 3 changes, skipped 1; wrote 2 files." in rest
    assert code == 1  # a finding was left in the notebook: not 2, every change was answered


def test_a_notebook_answered_in_full_exits_0(tmp_path: Path) -> None:
    path, before = jupyter(tmp_path, "import torch\nx = torch.ones(2, requires_grad=True)", "y = x.sigmoid()\ny.add_(1)")
    child = spawn(tmp_path, "nb.ipynb")
    shown = answer(child, "y")
    code, rest = finish(child)
    assert [m["cell"] for m in NOTEBOOK_HEADER.finditer(shown[0])] == ["3"]
    assert "`y` is the output of `.sigmoid()` (line 1)" in shown[0]  # the message's lines are the cell's too
    assert path.read_bytes() == before.replace(b'"y.add_(1)"', b'"y = y.add(1)"')
    assert code == 0, rest


def test_e_in_a_notebook_edits_the_cells(tmp_path: Path) -> None:
    path, before = jupyter(tmp_path, "import torch\nx = torch.ones(2, requires_grad=True)", "y = x.sigmoid()\ny.add_(1)")
    env = editor(tmp_path, "text = text.replace('y = y.add(1)', 'y = y + 1')")
    child = spawn(tmp_path, "nb.ipynb", env=env)
    answer(child, "e")
    code, rest = finish(child)
    assert path.read_bytes() == before.replace(b'"y.add_(1)"', b'"y = y + 1"')
    assert code == 0, rest
