"""Undo and redo over whole scenes: plain data the page keeps in a dcc.Store, bounded in length.

Scenes are small (a few kB), so keeping whole snapshots is simpler and safer than inverse operations.
"""

from __future__ import annotations

from typing import Any

LIMIT = 50  # undo steps kept; older ones are dropped

History = dict[str, list[Any]]


def empty() -> History:
    return {"past": [], "future": []}


def cleaned(history: Any) -> History:
    """The history from the browser's store, or an empty one when it is not the expected shape."""
    if isinstance(history, dict) and isinstance(history.get("past"), list) and isinstance(history.get("future"), list):
        return {"past": history["past"][-LIMIT:], "future": history["future"][-LIMIT:]}
    return empty()


def record(history: Any, before: Any) -> History:
    """Remember ``before`` as the state to go back to; a new change forgets what could be redone."""
    history = cleaned(history)
    return {"past": [*history["past"], before][-LIMIT:], "future": []}


def undo(history: Any, current: Any) -> tuple[Any, History] | None:
    """The previous scene and the new history, or None when there is nothing to undo."""
    history = cleaned(history)
    if not history["past"]:
        return None
    *past, previous = history["past"]
    return previous, {"past": past, "future": [*history["future"], current][-LIMIT:]}


def redo(history: Any, current: Any) -> tuple[Any, History] | None:
    """The scene undone last and the new history, or None when there is nothing to redo."""
    history = cleaned(history)
    if not history["future"]:
        return None
    *future, following = history["future"]
    return following, {"past": [*history["past"], current][-LIMIT:], "future": future}


def can_undo(history: Any) -> bool:
    return bool(cleaned(history)["past"])


def can_redo(history: Any) -> bool:
    return bool(cleaned(history)["future"])
