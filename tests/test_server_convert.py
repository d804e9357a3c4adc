"""Findings as LSP data (fixer/server/convert.py): positions, edits, suppressions, the lines a message names."""

from __future__ import annotations

from lsprotocol import types as lsp

from fixer.server import convert
from fixer.files.sourcefile import split_lines
from fixer.core.types import Finding, Safety, Severity, Span


def finding(line: int, text: str, message: str = "`h` is the output of `torch.sigmoid` (line 1), which saves it") -> Finding:
    return Finding("IP102", "inplace-method", "m.py", Span(line, 4, line, 4 + len(text)), Severity.ERROR, message, "",
                   "Rebind", Safety.SAFE, "h = h.mul(2)", text)


def test_columns_count_utf16_units_for_the_default_encoding_and_characters_for_utf32() -> None:
    lines = split_lines("s = '😀'; h.mul_(2)\n")
    assert convert.position(lines, 1, 10, lsp.PositionEncodingKind.Utf16) == lsp.Position(0, 11)
    assert convert.position(lines, 1, 10, lsp.PositionEncodingKind.Utf32) == lsp.Position(0, 10)
    assert convert.position(lines, 1, 10, lsp.PositionEncodingKind.Utf8) == lsp.Position(0, 13)
    assert convert.character(lines, lsp.Position(0, 11), lsp.PositionEncodingKind.Utf16) == (1, 10)


def test_text_edit_replaces_only_what_changed_and_counts_crlf_lines() -> None:
    old = "import torch\r\n\r\ndef f(x):\r\n    h.mul_(2)\r\n"
    new = old.replace("h.mul_(2)", "h = h.mul(2)")
    edit = convert.text_edit(old, new, lsp.PositionEncodingKind.Utf16)
    assert edit.range == lsp.Range(lsp.Position(3, 5), lsp.Position(3, 10))  # `.mul_` of `h.mul_(2)`
    assert edit.new_text == " = h.mul"
    assert convert.text_edit(old, old, "utf-16").new_text == ""


def test_noqa_is_added_after_the_code_or_joined_to_a_noqa_already_there() -> None:
    plain = split_lines("x = 1\n    h.mul_(2)\n")
    edit = convert.noqa_edit(finding(2, "h.mul_(2)"), plain, "utf-16")
    assert edit.range.start == lsp.Position(1, 13) and edit.new_text == "  # noqa: IP102"
    noqa = split_lines("x = 1\n    h.mul_(2)  # noqa: IP101  (why)\n")
    edit = convert.noqa_edit(finding(2, "h.mul_(2)"), noqa, "utf-16")
    assert edit.range.start == lsp.Position(1, 28) and edit.new_text == ", IP102"


def test_related_lines_come_from_the_saving_clause_only() -> None:
    message = ("`x` is an input of `self.fc`, a `nn.Linear` (line 14), which saves it for backward; `F.relu(x, inplace=True)` "
               "at line 15 makes backward fail; fix unsafe: `z` (line 13) holds `x`'s tensor")
    assert convert.named_lines(message) == [("`x` is an input of `self.fc`, a `nn.Linear`", 14)]
    assert convert.named_lines("`.mul_()` writes `w` in place; no fix: `y` (line 3) holds it") == []
    lines = split_lines("h = torch.sigmoid(x)\nh.mul_(2)\n")
    diagnostic = convert.diagnostic(finding(2, "h.mul_(2)"), lines, "file:///m.py", "utf-16")
    (related,) = diagnostic.related_information or []
    assert related.location.range == lsp.Range(lsp.Position(0, 0), lsp.Position(0, 20))


def test_fix_titles_say_the_safety_and_the_unsafe_reason() -> None:
    safe = finding(2, "h.mul_(2)")
    assert convert.fix_title(safe) == "Rebind (IP102, safe)"
    unsafe = Finding(**{**{f: getattr(safe, f) for f in safe.__slots__ if f != "key"}, "safety": Safety.UNSAFE,  # type: ignore[arg-type]
                        "message": "`h` ...; fix unsafe: `h` is a parameter: the caller's tensor changes. Fix: `h = h.mul(2)`."})
    assert convert.fix_title(unsafe) == "Rebind (IP102, unsafe: `h` is a parameter: the caller's tensor changes)"


def test_the_server_reads_every_key_check_reads(tmp_path) -> None:
    """`extend-select`, `extend-ignore` and `fix-warnings` reach the server's options as they reach `outplace fix`'s."""
    from fixer.server.state import _read_settings

    (tmp_path / "pyproject.toml").write_text(
        '[tool.outplace]\nselect = ["IP101"]\nextend-select = ["IP102"]\nextend-ignore = ["IP105"]\nfix-warnings = true\n')
    (tmp_path / "model.py").write_text("import torch\n")
    options = _read_settings(str(tmp_path / "model.py"), str(tmp_path)).options
    assert options.select == ("IP101", "IP102") and options.ignore == ("IP105",) and options.fix_warnings
