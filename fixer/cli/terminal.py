"""The review's terminal: single key presses in raw mode, coloured output, $EDITOR, and the signals that end a review."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from rich.console import Console
from rich.text import Text

from fixer.files.sourcefile import SourceError, decode_source


class Hangup(BaseException):
    """The terminal went away (SIGHUP, SIGTERM, end of input): stop without writing the open file."""


class Terminal:
    """The prompt's input (single keys, raw mode) and output (rich, coloured unless NO_COLOR)."""

    def __init__(self) -> None:
        self.fd = sys.stdin.fileno()
        self.out = Console(file=sys.stdout, highlight=False, soft_wrap=True, no_color=bool(os.environ.get("NO_COLOR")))

    def show(self, text: str | Text = "", style: str | None = None) -> None:
        self.out.print(text if isinstance(text, Text) else Text(text, style=style or ""))

    def key(self, prompt: str) -> str:
        """One key press, without Enter; Ctrl-C raises KeyboardInterrupt, a closed terminal Hangup."""
        import termios
        import tty

        self.out.print(Text(prompt + " ", style="bold blue"), end="")
        sys.stdout.flush()
        saved = termios.tcgetattr(self.fd)
        try:
            tty.setraw(self.fd)  # no echo, no line buffering, and Ctrl-C arrives as a byte
            try:
                data = os.read(self.fd, 1)
            except OSError:  # EIO: the terminal was closed
                data = b""
            if data == b"\x1b" or data[:1] >= b"\x80":  # an arrow key or a multi-byte character
                with suppress(termios.error):
                    termios.tcflush(self.fd, termios.TCIFLUSH)
        finally:
            with suppress(termios.error, OSError):
                termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)
        if not data:
            raise Hangup
        if data == b"\x03":
            self.show("^C")
            raise KeyboardInterrupt
        key = "q" if data == b"\x04" else data.decode("latin-1")
        self.show(key if key.isprintable() else "")
        return key

    def edit(self, name: str, proposal: str) -> str | None:
        """`proposal` as saved in $EDITOR (as a file called `name`); None (after saying why) when that fails."""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.TemporaryDirectory(prefix="outplace-edit-") as folder:
            temp = Path(folder) / name
            temp.write_bytes(proposal.encode("utf-8"))
            try:
                done = subprocess.run([*shlex.split(editor), str(temp)], check=False)
            except OSError as error:
                self.show(f"cannot run the editor {editor!r}: {error.strerror}; asked again.", "yellow")
                return None
            if done.returncode != 0:
                self.show(f"the editor exited with status {done.returncode}; asked again.", "yellow")
                return None
            try:
                return decode_source(temp.read_bytes())[0]
            except (OSError, SourceError) as error:
                self.show(f"cannot read the edited file: {error}; asked again.", "yellow")
                return None


@contextmanager
def hangup_raises() -> Iterator[None]:
    """SIGHUP and SIGTERM raise Hangup, so an open temp file is removed and nothing half-done is kept."""

    def handler(signum: int, frame: object) -> None:
        raise Hangup

    saved = {sig: signal.signal(sig, handler) for sig in (signal.SIGHUP, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)


@contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C, SIGHUP and SIGTERM wait until the block is done: a file is written, or not."""
    held = {signal.SIGINT, signal.SIGHUP, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def silence() -> None:
    """Point stdout and stderr at /dev/null: the terminal is gone and writing to it would fail."""
    with suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
