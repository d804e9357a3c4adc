"""Reading and writing source files: bytes survive exactly, failures say why and change nothing."""

from __future__ import annotations

import builtins
import os
import re
import stat
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fixer.files import sourcefile
from fixer.files.sourcefile import (
    SourceError,
    decode_source,
    encode_source,
    newline_of,
    read_source,
    split_lines,
    write_atomic,
)
from fixer.core.types import ErrorKind

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
LATIN1_COOKIE = "# -*- coding: latin-1 -*-\n"

ROUND_TRIP_CASES = {
    "plain_utf8": "import torch\nx = torch.ones(3)  # ünïcode\n".encode(),
    "utf8_bom": b"\xef\xbb\xbfx = 1\n",
    "latin1_cookie": b"# -*- coding: latin-1 -*-\ns = '\xe9t\xe9'\n",
    "crlf": b"x = 1\r\ny = 2\r\n",
    "cr_only": b"x = 1\ry = 2\r",
    "mixed_newlines": b"x = 1\r\ny = 2\nz = 3\rw = 4\n",
    "tabs": b"if x:\n\ty = 1\n",
    "form_feed_in_line": b"x = 1\n\x0c\ny = 2 \x0c # comment\n",
    "empty": b"",
    "no_trailing_newline": b"x = 1\ny = 2",
    "null_byte": b"x = '\x00'\n",
}


@pytest.mark.parametrize("data", ROUND_TRIP_CASES.values(), ids=ROUND_TRIP_CASES.keys())
def test_round_trips_bytes_exactly(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "case.py"
    path.write_bytes(data)
    source = read_source(path)
    assert encode_source(source.text, source.encoding) == data
    write_atomic(path, encode_source(source.text, source.encoding))
    assert path.read_bytes() == data


def test_decode_keeps_newlines_and_names_the_encoding() -> None:
    assert decode_source(b"a\r\nb\rc\n") == ("a\r\nb\rc\n", "utf-8")
    assert decode_source(b"\xef\xbb\xbfa\n") == ("a\n", "utf-8-sig")
    assert decode_source(b"# coding: latin-1\n\xe9\n") == ("# coding: latin-1\n\xe9\n", "iso-8859-1")


def test_read_source_records_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "script.py"
    path.write_bytes(b"x = 1\n")
    path.chmod(0o751)
    source = read_source(path)
    assert (source.path, source.text, source.encoding, source.mode) == (path, "x = 1\n", "utf-8", 0o751)


def _cookie_free(text: str) -> bool:
    """Random text must not declare an encoding of its own or start with a BOM character."""
    head = "\n".join(split_lines(text)[:2])
    return not text.startswith("\ufeff") and not re.search(r"coding[:=]", head)


@given(st.text(st.characters(blacklist_categories=("Cs",))), st.sampled_from(["utf-8", "utf-8-sig"]))
def test_utf8_text_round_trips(text: str, encoding: str) -> None:
    assume(_cookie_free(text))
    assert decode_source(encode_source(text, encoding)) == (text, encoding)


@given(st.text(st.characters(max_codepoint=0xFF)))
def test_latin1_text_with_cookie_round_trips(text: str) -> None:
    text = LATIN1_COOKIE + text
    assert decode_source(encode_source(text, "iso-8859-1")) == (text, "iso-8859-1")


@given(st.binary())
def test_decodable_bytes_encode_back_identically(data: bytes) -> None:
    try:
        text, encoding = decode_source(data)
    except SourceError:
        return
    assert encode_source(text, encoding) == data


def test_latin1_bytes_without_cookie_are_a_decode_error_on_their_line() -> None:
    data = b"import torch\r\nx = 1\ns = '\xe9'\n"
    with pytest.raises(SourceError) as caught:
        decode_source(data)
    error = caught.value.error
    assert error.kind is ErrorKind.DECODE
    assert error.line == 3
    assert "not valid utf-8 (byte 0xe9 at offset 25)" in error.message
    assert "coding cookie" in error.message
    assert "\n" not in error.message


def test_bad_byte_on_the_first_line_is_a_decode_error() -> None:
    with pytest.raises(SourceError) as caught:
        decode_source(b"s = '\xe9'\n")
    assert (caught.value.error.kind, caught.value.error.line) == (ErrorKind.DECODE, 1)


def test_unknown_cookie_is_a_decode_error() -> None:
    with pytest.raises(SourceError) as caught:
        decode_source(b"#!/usr/bin/env python\n# coding: klingon\n")
    assert caught.value.error.kind is ErrorKind.DECODE
    assert caught.value.error.line == 2
    assert "klingon" in caught.value.error.message


def test_encoding_refuses_text_the_file_encoding_cannot_hold() -> None:
    with pytest.raises(SourceError) as caught:
        encode_source(LATIN1_COOKIE + "x = 1\ns = '\u2603'\n", "iso-8859-1")
    assert caught.value.error.kind is ErrorKind.DECODE
    assert caught.value.error.line == 3


def test_encoding_refuses_text_that_would_read_back_differently() -> None:
    with pytest.raises(SourceError):
        encode_source("\ufeffx = 1\n", "utf-8")  # would read back as utf-8-sig without the U+FEFF


@pytest.mark.parametrize(
    ("text", "newline"),
    [("a\r\nb\n", "\r\n"), ("a\rb\r\n", "\r"), ("a\nb\r\n", "\n"), ("no newline", "\n"), ("", "\n")],
)
def test_newline_of_is_the_first_newline(text: str, newline: str) -> None:
    assert newline_of(text) == newline


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("a", ["a"]),
        ("a\n", ["a\n"]),
        ("a\r\nb\rc\nd", ["a\r\n", "b\r", "c\n", "d"]),
        ("\r\r\n\n", ["\r", "\r\n", "\n"]),
        ("a\x0cb\x1cc\u2028d\x85e\n", ["a\x0cb\x1cc\u2028d\x85e\n"]),  # not newlines to Python
    ],
)
def test_split_lines_splits_only_on_python_newlines(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines


@given(st.text())
def test_split_lines_joins_back(text: str) -> None:
    assert "".join(split_lines(text)) == text


def _temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".outplace-tmp")]


@pytest.mark.parametrize("mode", [0o640, 0o755])
def test_write_atomic_replaces_content_and_keeps_mode(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")
    path.chmod(mode)
    write_atomic(path, b"new\n")
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert _temp_files(tmp_path) == []


def test_write_atomic_applies_an_explicit_mode(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")
    write_atomic(path, b"new\n", mode=0o600)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_write_atomic_refuses_a_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")
    path.chmod(0o444)
    with pytest.raises(SourceError) as caught:
        write_atomic(path, b"new\n")
    assert caught.value.error.kind is ErrorKind.IO
    assert "read-only" in caught.value.error.message
    assert path.read_bytes() == b"old\n"
    assert _temp_files(tmp_path) == []


def test_write_atomic_refuses_a_file_reported_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")
    # Simulates an unprivileged user, so the check also runs as root.
    monkeypatch.setattr(sourcefile.os, "access", lambda *args, **kwargs: False)
    with pytest.raises(SourceError, match="read-only file"):
        write_atomic(path, b"new\n")
    assert path.read_bytes() == b"old\n"
    assert _temp_files(tmp_path) == []


def test_write_atomic_refuses_a_read_only_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir()
    path = folder / "a.py"
    path.write_bytes(b"old\n")
    if IS_ROOT:  # root may write in a read-only folder: make the rename fail instead

        def refuse(*args: object, **kwargs: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(sourcefile.os, "replace", refuse)
    else:
        folder.chmod(0o555)
    try:
        with pytest.raises(SourceError) as caught:
            write_atomic(path, b"new\n")
    finally:
        folder.chmod(0o755)
    assert caught.value.error.kind is ErrorKind.IO
    assert caught.value.error.message == "permission denied"
    assert path.read_bytes() == b"old\n"
    assert _temp_files(folder) == []


def test_write_atomic_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.py"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    link = tmp_path / "link.py"
    link.symlink_to(target.name)
    write_atomic(link, b"new\n")
    assert link.is_symlink()
    assert os.readlink(link) == "real.py"
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _temp_files(tmp_path) == []


def _read_error(path: Path) -> str:
    with pytest.raises(SourceError) as caught:
        read_source(path)
    assert caught.value.error.kind is ErrorKind.IO
    assert str(path) not in caught.value.error.message
    return caught.value.error.message


def test_read_missing_file(tmp_path: Path) -> None:
    assert _read_error(tmp_path / "missing.py") == "no such file or directory"


def test_read_directory(tmp_path: Path) -> None:
    assert _read_error(tmp_path) == "is a directory"


def test_read_broken_symlink(tmp_path: Path) -> None:
    link = tmp_path / "link.py"
    link.symlink_to(tmp_path / "gone.py")
    assert _read_error(link) == "broken symbolic link"


def test_read_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "b.py").symlink_to(tmp_path / "a.py")
    assert _read_error(tmp_path / "a.py") == "symbolic link loop"


def test_read_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.py"
    path.write_bytes(b"x = 1\n")
    if IS_ROOT:  # root reads mode-000 files: make opening this one fail instead
        real_open = builtins.open

        def guarded_open(file: object, *args: object, **kwargs: object) -> object:
            if Path(str(file)) == path:
                raise PermissionError(13, "Permission denied")
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", guarded_open)
    else:
        path.chmod(0o000)
    try:
        assert _read_error(path) == "permission denied"
    finally:
        path.chmod(0o644)
