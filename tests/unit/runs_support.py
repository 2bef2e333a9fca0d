"""Helpers for tests of training runs: release a held run (``DASH_APP_HOLD_RUNS``) and wait for a state."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path


def allow_epochs(holds_dir: Path, run_id: int, epochs: int = 1_000_000) -> None:
    """Let a held run finish ``epochs`` epochs (dash_app/runs/executor.py EpochHold); by default, all of them."""
    holds_dir.mkdir(parents=True, exist_ok=True)
    (holds_dir / f"{run_id}.tmp").write_text(str(epochs))
    (holds_dir / f"{run_id}.tmp").replace(holds_dir / str(run_id))  # a reader never sees a half-written number


def wait_until(condition: Callable[[], object], timeout_s: float = 120) -> None:
    """Poll ``condition`` until it holds; fail if it never does."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the state never came"
        time.sleep(0.05)
