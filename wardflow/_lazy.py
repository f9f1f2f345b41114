"""A collaborator opened on first use (part of :mod:`wardflow.services`, which
re-exports :class:`Lazy`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from wardflow.errors import WardflowError

__all__ = ["Lazy", "close_value"]

_T = TypeVar("_T")


class Lazy(Generic[_T]):
    """A collaborator opened on first :meth:`get` (once, thread-safe).

    Args:
        open_: builds the collaborator.
        owned: whether :meth:`close` closes it (``False`` for one the caller passed).
        closer: how to close it; its ``close()`` method (if any) by default.
    """

    def __init__(self, open_: Callable[[], _T], *, owned: bool = True,
                 closer: Callable[[_T], None] | None = None) -> None:
        self._open = open_
        self._owned = owned
        self._closer = closer
        self._value: _T | None = None
        self._opened = False
        self._closed = False
        self._lock = threading.Lock()

    @classmethod
    def of(cls, value: _T) -> Lazy[_T]:
        """A handle on ``value``, already open and owned by the caller."""
        handle = cls(lambda: value, owned=False)
        handle.get()
        return handle

    @property
    def opened(self) -> bool:
        """Whether :meth:`get` has opened it."""
        return self._opened

    def get(self) -> _T:
        """The collaborator, opened now if it was not yet.

        Raises:
            WardflowError: it was closed (build new services to open it again).
        """
        if not self._opened:
            with self._lock:
                if self._closed:
                    raise WardflowError("these services are closed; open new ones with"
                                        " build_services(settings)")
                if not self._opened:
                    self._value = self._open()
                    self._opened = True
        return self._value  # type: ignore[return-value]  # set above, may be None by type

    def close(self) -> None:
        """Close it if it was opened here and is owned; it cannot be opened again (safe
        to call twice)."""
        with self._lock:
            if self._opened and self._owned:
                (self._closer or close_value)(self._value)  # type: ignore[arg-type]
            self._opened, self._value, self._closed = False, None, True


def close_value(value: object) -> None:
    """Call ``value.close()`` if it has one."""
    close = getattr(value, "close", None)
    if close is not None:
        close()
