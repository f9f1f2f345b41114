"""Progress of long CLI work: a rich bar (n/N, current file) on a terminal, plain lines
when stderr is piped, nothing with ``--json`` (quiet).

Also keeps third-party log lines off the user's terminal: litellm, guardrails and
friends log at WARNING and above only, into ``WARDFLOW_HOME/logs/wardflow.log``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["Steps", "quiet_third_party_logs", "spinner"]

_THIRD_PARTY = ("litellm", "LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "guardrails",
                "httpx", "httpcore", "chromadb", "opentelemetry", "urllib3", "langgraph",
                "presidio-analyzer", "presidio_analyzer", "llama_cpp", "ray")


def quiet_third_party_logs(log_dir: Path | None) -> None:
    """Route third-party loggers to a file (WARNING and above), never to the terminal."""
    handler: logging.Handler = (_LazyFileHandler(log_dir / "wardflow.log")
                                if log_dir is not None else logging.NullHandler())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in _THIRD_PARTY:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        logger.handlers = [handler]
        logger.propagate = False


class _LazyFileHandler(logging.FileHandler):
    """A log file made (with its folder) only when something is logged; a file that
    cannot be written drops the record rather than reach the terminal."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, encoding="utf-8", delay=True)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        return


class Steps:
    """Counts work items on ``console``: ``with Steps(err, 14, "processing") as steps:``
    then ``steps.start(name)`` before each item and ``steps.done(name, status)`` after.

    On a terminal this is a rich progress bar; piped, one plain line per item
    (``[3/14] name: status``); ``quiet`` prints nothing.
    """

    def __init__(self, console: Console, total: int | None, label: str, *,
                 quiet: bool = False) -> None:
        self.console = console
        self.total = total
        self.label = label
        self.quiet = quiet
        self.count = 0
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Steps:
        if not self.quiet and self.console.is_terminal:
            self._bar = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("[dim]{task.fields[current]}", markup=True),
                console=self.console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total, current="")
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def start(self, name: str) -> None:
        """``name`` is being worked on now."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, current=name)

    def done(self, name: str, status: str = "") -> None:
        """``name`` is finished, with ``status``."""
        self.count += 1
        if self.quiet:
            return
        of = f"/{self.total}" if self.total is not None else ""
        line = f"[{self.count}{of}] {name}" + (f": {status}" if status else "")
        if self._bar is not None and self._task is not None:
            self._bar.console.print(line, highlight=False, markup=False)
            self._bar.update(self._task, advance=1, current="")
        else:
            self.console.print(line, highlight=False, markup=False, soft_wrap=True)

    def callback(self, index: int, total: int, name: str) -> None:
        """A ``progress(index, total, name)`` callback, called before each item."""
        self.total = total
        if self.quiet:
            return
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, total=total, completed=index, current=name)
        else:
            self.console.print(f"[{index + 1}/{total}] {name}", highlight=False, markup=False,
                               soft_wrap=True)


@contextmanager
def spinner(console: Console, message: str, *, quiet: bool = False) -> Iterator[None]:
    """A spinner with ``message`` on a terminal; one plain line when piped."""
    if quiet:
        yield
    elif console.is_terminal:
        with console.status(message):
            yield
    else:
        console.print(message, highlight=False, markup=False, soft_wrap=True)
        yield
