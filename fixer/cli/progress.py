"""A progress bar on standard error for long runs, shown only on a terminal and erased when done."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TextIO, TypeVar

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

T = TypeVar("T")

# Fewer files than this finish before a bar would be worth reading.
MIN_FILES = 20


def wants_bar(stream: TextIO, quiet: bool) -> bool:
    """A bar only on a terminal, never with --quiet."""
    return not quiet and bool(getattr(stream, "isatty", lambda: False)())


def tracked(stream: TextIO, run: Callable[[Callable[[int], None]], Iterable[T]], label: str = "outplace",
            min_files: int = MIN_FILES) -> Iterator[T]:
    """The items of `run(on_total)`, with a bar named `label` on `stream` once `on_total` reports `min_files` or more."""
    bar: Progress | None = None
    task: TaskID | None = None

    def on_total(total: int) -> None:
        nonlocal bar, task
        if total < min_files:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(
            TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("files"), TimeElapsedColumn(),
            console=Console(file=stream), transient=True,
        )  # fmt: skip
        task = bar.add_task("files", total=total)
        bar.start()

    try:
        for item in run(on_total):
            if bar is not None and task is not None:
                bar.advance(task)
            yield item
    finally:
        if bar is not None:
            bar.stop()
