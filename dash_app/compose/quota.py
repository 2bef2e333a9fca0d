"""Per-user upload limits: uploads per minute, and the total size of the images a user keeps.

Counted in the data directory, next to the images, so every server process (and every machine that shares
the data directory) counts the same uploads: one small JSON ledger per user under ``compose/usage/``, read
and written under an exclusive file lock. The ledger keeps the times of the user's uploads in the last
minute (every upload that reached the checks, refused or not: a refused file costs the server its checks
too) and the stored size of each image the user uploaded; a size counts while its image is still on disk.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dash_app.compose.intake import ImageRejected

WINDOW_S = 60.0
MEGABYTE = 1024 * 1024


class UploadLimitReached(ImageRejected):
    """The user has reached an upload limit (the route answers 429); the message is for the user."""


@dataclass(frozen=True)
class UploadLimits:
    """Uploads one user may send per minute, and the bytes of stored images one user may keep."""

    per_minute: int
    max_total_bytes: int


def usage_dir(data_dir: Path) -> Path:
    return data_dir / "compose" / "usage"


def ledger_path(data_dir: Path, user: str | None) -> Path:
    """The ledger of the user whose stable id is ``user`` (None: the standalone user); never a path from outside."""
    digest = hashlib.sha256(f"user-id:{user}".encode()).hexdigest()[:32] if user is not None else "local"
    return usage_dir(data_dir) / f"{digest}.json"


class UploadLedger:
    """One user's uploads, as counted for :class:`UploadLimits`."""

    def __init__(self, data_dir: Path, user: str | None, images: Path) -> None:
        self.path, self.images = ledger_path(data_dir, user), images

    @contextmanager
    def _locked(self) -> Iterator[dict]:
        """The ledger, read and then written back, under an exclusive lock held across processes."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                ledger = self._read()
                yield ledger
                partial = self.path.with_suffix(".partial")
                partial.write_text(json.dumps(ledger))
                os.replace(partial, self.path)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict:
        try:
            ledger = json.loads(self.path.read_text())
        except (OSError, ValueError):  # none yet, or damaged: start again (the images are still counted below)
            ledger = {}
        times = ledger.get("times") if isinstance(ledger, dict) else None
        sizes = ledger.get("sizes") if isinstance(ledger, dict) else None
        return {"times": [t for t in times if isinstance(t, (int, float))] if isinstance(times, list) else [],
                "sizes": {str(key): int(value) for key, value in sizes.items() if isinstance(value, int)}
                if isinstance(sizes, dict) else {}}

    def _kept(self, ledger: dict) -> int:
        """Bytes of the user's images still on disk (an image an operator removed no longer counts)."""
        sizes = ledger["sizes"]
        for image_id in [key for key in sizes if not (self.images / f"{key}.png").is_file()]:
            del sizes[image_id]
        return sum(sizes.values())

    def admit(self, size: int, limits: UploadLimits, now: float | None = None) -> None:
        """Count an upload of ``size`` bytes now; UploadLimitReached when it would pass either limit."""
        now = time.time() if now is None else now
        with self._locked() as ledger:
            recent = [t for t in ledger["times"] if now - WINDOW_S < t <= now]
            ledger["times"] = recent
            if len(recent) >= limits.per_minute:
                wait = max(1, int(recent[0] + WINDOW_S - now + 0.999))
                msg = (f"you have sent {len(recent)} uploads in the last minute, the most one user may send"
                       f" ({limits.per_minute} a minute): try again in {wait} s")
                raise UploadLimitReached(msg)
            kept = self._kept(ledger)
            if kept + size > limits.max_total_bytes:
                msg = (f"your uploaded images take {kept / MEGABYTE:.1f} MB; with this file"
                       f" ({size / MEGABYTE:.1f} MB) they would pass the {limits.max_total_bytes / MEGABYTE:.0f} MB"
                       " one user may keep")
                raise UploadLimitReached(msg)
            recent.append(now)

    def record(self, image_id: str, stored_bytes: int) -> None:
        """Count a stored image's bytes (its full-size and display files) towards the user's total."""
        with self._locked() as ledger:
            ledger["sizes"][image_id] = int(stored_bytes)
