"""How many exports each user has in progress: Data's CSV and Excel downloads and Compose's renders.

One :class:`ExportSlots` per app (the workbench's ``exports``), counted in this server process: an export
holds its slot from the request until its download has been sent or dropped. Several server processes
each count their own (SECURITY.md, "6. Limits": the limit is per process, which bounds the work each
process takes on for one user).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable


class TooManyExports(RuntimeError):
    """The user already has as many exports in progress as one user may; the message is for the user."""


class ExportSlots:
    """At most ``per_user`` exports in progress for each user at once."""

    def __init__(self, per_user: int) -> None:
        self.per_user = per_user
        self._held: Counter[str | None] = Counter()
        self._lock = threading.Lock()

    def take(self, user: str | None) -> Callable[[], None]:
        """Take a slot of ``user`` (a stable id; None: the standalone user) and return what gives it back (once,
        however often it is called); TooManyExports when all of theirs are in use."""
        with self._lock:
            if self._held[user] >= self.per_user:
                msg = (f"you already have {self._held[user]} exports in progress, the most one user may have at once"
                       f" ({self.per_user}): wait for one to finish")
                raise TooManyExports(msg)
            self._held[user] += 1
        given_back = threading.Event()

        def give_back() -> None:
            with self._lock:
                if given_back.is_set():
                    return
                given_back.set()
                self._held[user] -= 1
                if self._held[user] <= 0:
                    del self._held[user]

        return give_back

    def in_progress(self, user: str | None) -> int:
        with self._lock:
            return self._held[user]
