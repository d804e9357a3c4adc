"""Reading and writing Python source files byte-for-byte: encoding, BOM and newlines kept."""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import os
import re
import stat
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path

from fixer.core.types import ErrorKind, FileError

# Only these end a line for Python's tokenizer; str.splitlines also splits on \x0c, \x1c, \u2028 ...
_NEWLINE = re.compile(r"(\r\n|\r|\n)")
_NEWLINE_BYTES = re.compile(rb"\r\n|\r|\n")
# The coding-cookie pattern of PEP 263, as the tokenize module applies it to the first two lines.
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_NEW_FILE_MODE = 0o644
# Temp files of `write_atomic`: ".<name>.<pid>.<random>.outplace-tmp" beside the file they replace.
TEMP_SUFFIX = ".outplace-tmp"
_TEMP_NAME = re.compile(r"^\..+\.(?P<pid>\d+)\.[a-z0-9_]{8}\.outplace-tmp$")


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The decoded text of one file, with what is needed to write it back identically."""

    path: Path
    text: str  # newlines as in the file: \r\n, \r and \n kept, mixed kept
    encoding: str  # as tokenize.detect_encoding names it, e.g. "utf-8", "utf-8-sig", "iso-8859-1"
    mode: int  # stat.S_IMODE of the file


class SourceError(Exception):
    """A file could not be read, decoded, encoded or written; carries the `FileError`."""

    def __init__(self, error: FileError) -> None:
        super().__init__(error.message)
        self.error = error


def _fail(kind: ErrorKind, message: str, line: int | None = None) -> SourceError:
    return SourceError(FileError(kind, message, line))


def describe_os_error(exc: OSError, path: Path) -> str:
    """A short human reason for an OS error on `path`, without the path itself."""
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return "broken symbolic link"
    reasons = {
        errno.ENOENT: "no such file or directory",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EISDIR: "is a directory",
        errno.ENOTDIR: "not a directory",
        errno.ELOOP: "symbolic link loop",
        errno.EROFS: "read-only file system",
        errno.ENOSPC: "no space left on device",
    }
    return reasons.get(exc.errno, (exc.strerror or str(exc)).lower())


def newline_of(text: str) -> str:
    """The first newline sequence in `text`, or "\\n" when there is none."""
    match = _NEWLINE.search(text)
    return match.group() if match else "\n"


def split_lines(text: str) -> list[str]:
    """Split `text` after each \\r\\n, \\r or \\n, keeping the ends; joining gives `text` back."""
    parts = _NEWLINE.split(text)
    lines = [body + end for body, end in zip(parts[::2], parts[1::2])]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _line_at(data: bytes, offset: int) -> int:
    """The 1-based line holding byte `offset`, counting newlines as the tokenizer does."""
    return len(_NEWLINE_BYTES.findall(data, 0, offset)) + 1


def _cookie_line(data: bytes) -> int | None:
    """The line (1 or 2) of the coding cookie, if there is one."""
    for number, line in enumerate(data.splitlines()[:2], start=1):
        if _COOKIE.match(line):
            return number
    return None


def _detect_encoding(data: bytes) -> str:
    """The encoding declared by BOM or cookie, else "utf-8"; a bad declaration is a DECODE error."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        reason = exc.msg
        if reason.startswith("unknown encoding"):
            raise _fail(ErrorKind.DECODE, f"{reason} in the coding cookie", _cookie_line(data))
        if reason.startswith("encoding problem"):
            message = "the file starts with a UTF-8 BOM but its coding cookie names another encoding"
            raise _fail(ErrorKind.DECODE, message, _cookie_line(data))
        # Non-UTF-8 bytes in the first lines and no cookie: decoding as UTF-8 will say where.
        encoding = "utf-8"
    return encoding


def decode_source(data: bytes) -> tuple[str, str]:
    """Decode source bytes as Python would, returning (text, encoding); newlines untouched."""
    encoding = _detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        byte = data[exc.start : exc.start + 1].hex()
        message = (
            f"not valid {encoding} (byte 0x{byte} at offset {exc.start}); "
            "declare the encoding with a coding cookie"
        )
        raise _fail(ErrorKind.DECODE, message, _line_at(data, exc.start)) from None
    # Some codecs have several spellings of one text; writing back must give the same bytes.
    if text.encode(encoding) != data:
        raise _fail(ErrorKind.DECODE, f"the bytes do not survive a round trip through {encoding}")
    return text, encoding


def _same_codec(a: str, b: str) -> bool:
    return codecs.lookup(a).name == codecs.lookup(b).name


def encode_source(text: str, encoding: str) -> bytes:
    """Encode `text` for writing; the inverse of `decode_source`, a BOM kept for "utf-8-sig"."""
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        char = text[exc.start]
        message = f"cannot write {char!r} (U+{ord(char):04X}) in {encoding}"
        line = len(_NEWLINE.findall(text, 0, exc.start)) + 1
        raise _fail(ErrorKind.DECODE, message, line) from None
    # A new cookie, a lost cookie or a leading U+FEFF would make the file read back differently.
    try:
        again, detected = decode_source(data)
    except SourceError as exc:
        raise _fail(ErrorKind.DECODE, f"the new text would not read back: {exc}") from None
    if again != text or not _same_codec(detected, encoding):
        raise _fail(ErrorKind.DECODE, f"the new text would read back as {detected}, not {encoding}")
    return data


def read_source(path: Path) -> SourceFile:
    """Read and decode one file; raises SourceError (IO or DECODE) with a one-line reason."""
    data, mode = read_bytes(path)
    text, encoding = decode_source(data)
    return SourceFile(path=path, text=text, encoding=encoding, mode=mode)


def read_bytes(path: Path) -> tuple[bytes, int]:
    """The file's bytes and permission bits, read through one handle; raises SourceError (IO)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(), stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
    except OSError as exc:
        raise _fail(ErrorKind.IO, describe_os_error(exc, path)) from None


def _existing_mode(target: Path) -> int:
    """The permission bits of `target`, or the mode of a new file when it does not exist."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return _NEW_FILE_MODE


def _check_replaceable(target: Path) -> None:
    """Refuse targets that rename would silently replace: read-only files and directories."""
    if os.path.isdir(target):
        raise _fail(ErrorKind.IO, "is a directory")
    # rename(2) needs only the folder to be writable, so a read-only file would be overwritten;
    # root passes os.access whatever the bits say, so a file with no write bit at all is read-only too.
    if os.path.exists(target) and (not os.access(target, os.W_OK) or not os.stat(target).st_mode & 0o222):
        raise _fail(ErrorKind.IO, "read-only file")


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable; some file systems cannot fsync a folder, which is harmless."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _replace(target: Path, data: bytes, mode: int) -> None:
    """Write `data` to a temp file beside `target` and rename it over; remove it on failure."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_folder(target.parent)


def remove_stale_temps(folder: Path) -> int:
    """Delete the temp files that a killed `fix` left in `folder`; return how many were removed.

    A temp file names the process that writes it; one whose process still runs is left alone.
    """
    removed = 0
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            match = _TEMP_NAME.match(entry.name) if entry.name.endswith(TEMP_SUFFIX) else None
            if match and not _running(int(match["pid"])) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace the file at `path` (or a symlink's target) with `data` atomically."""
    target = Path(os.path.realpath(path))  # keep a symlink a symlink: write where it points
    try:
        _check_replaceable(target)
        _replace(target, data, _existing_mode(target) if mode is None else mode)
    except OSError as exc:
        raise _fail(ErrorKind.IO, describe_os_error(exc, target)) from None
