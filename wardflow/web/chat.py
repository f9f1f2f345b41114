"""The review chat over HTTP: a line in, the chat's answer out, whole or as a stream.

The answers come from :class:`~wardflow.review.chat.ReviewChat`, the same chat as
``wardflow review``, bound to the logged-in principal and the case the page has open.
Streaming is real: the chat runs in a worker thread and every block it prints is
handed to the response as soon as it is printed.

Each request builds a new chat, so what a reviewer was shown lives in ``seen`` (the
server keeps one per principal): the proposal hash the chat last showed them on each
case, or the hash the page shows, which the page sends with each line. "approve"
approves that hash, never the case's current one.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, TextIO

from rich.console import Console

from wardflow.review.chat import ReviewChat

if TYPE_CHECKING:
    from wardflow.runtime.workspace import Workspace

__all__ = ["answer", "stream_answer"]

log = logging.getLogger(__name__)

# Tables are laid out for this many columns unless the caller says how wide it is.
CHAT_WIDTH = 100
_END = object()


class _Sink(io.StringIO):
    """A text file that hands each write to ``emit`` instead of keeping it."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        super().__init__()
        self._emit = emit

    def write(self, text: str) -> int:
        if text:
            self._emit(text)
        return len(text)


def _console(file: TextIO, width: int) -> Console:
    # Plain text: markup styles are dropped, prose is not hard-wrapped.
    return Console(file=file, width=width, soft_wrap=True, color_system=None,
                   force_terminal=False, force_jupyter=False, highlight=False, emoji=False)


def _handle(
    ws: Workspace, principal: str, thread_id: str, line: str, out: TextIO, width: int,
    seen: MutableMapping[str, str] | None,
) -> None:
    chat = ReviewChat(ws, principal, _console(out, width), seen=seen)
    try:
        # Raises RunNotFound or ReviewError when the run is unknown or not waiting.
        chat.select(thread_id)
        chat.handle(line)
    finally:
        chat.close()


def answer(
    ws: Workspace, principal: str, thread_id: str, line: str, *, width: int = CHAT_WIDTH,
    seen: MutableMapping[str, str] | None = None,
) -> str:
    """The chat's whole answer to ``line`` on the case ``thread_id``.

    Args:
        width: the columns tables are laid out for (prose is never hard-wrapped).
        seen: thread id -> the proposal hash this principal was shown (read and updated).
    """
    out = io.StringIO()
    _handle(ws, principal, thread_id, line, out, width, seen)
    return out.getvalue()


def stream_answer(
    ws: Workspace, principal: str, thread_id: str, line: str,
    lock: AbstractContextManager[object], *, width: int = CHAT_WIDTH,
    seen: MutableMapping[str, str] | None = None,
) -> Iterator[str]:
    """Start answering ``line`` now; iterate to receive the answer block by block.

    The worker thread takes ``lock`` (the case's lock: a chat line may decide the case)
    and owns ``ws``: it closes it when done, whether or not the stream is read to the
    end. A failure that is not a refusal ends the stream with an error line; its
    traceback goes to the server log.
    """
    chunks: queue.Queue[object] = queue.Queue()

    def work() -> None:
        finished = False
        try:
            with lock:
                _handle(ws, principal, thread_id, line, _Sink(chunks.put), width, seen)
            finished = True
        finally:
            ws.close()
            if not finished:
                chunks.put("error: the chat failed; the server log has the details\n")
            chunks.put(_END)

    threading.Thread(target=work, name=f"chat-{thread_id}", daemon=True).start()

    def read() -> Iterator[str]:
        while (chunk := chunks.get()) is not _END:
            yield str(chunk)

    return read()
