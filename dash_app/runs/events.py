"""One structured log line per job event, through Python ``logging`` (logger ``dash_app.runs.events``).

Each line has a readable message and its fields in ``extra`` (``event``, ``run_id``, ``attempt``,
``owner_id`` and, where they apply, ``status``, ``error``, ``epoch``, ``epochs``), so a host's logging
configuration (a JSON formatter, a log shipper) takes them as they are; the product configures no
handler here (dash_app/logs.py). Events: ``run.queued`` (also a resumed run's new attempt),
``run.started``, ``run.progress`` (at each quarter of the epochs, never per batch), ``run.cancel_requested``
and the end: ``run.succeeded``, ``run.failed``, ``run.cancelled``, ``run.interrupted``. They are written
where the run store changes a run's state (dash_app/runs/store.py), so every process (web, job, Celery
worker) logs the events it causes, whoever called it.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)
QUIET = ("queued", "started", "progress", "succeeded", "cancel_requested", "cancelled")  # INFO; the rest WARNING
MILESTONES = 4  # progress lines per run: one at each quarter of its epochs (the last is its end)


def enabled() -> bool:
    """Whether event lines are wanted at all (so a store skips the read that would only feed them)."""
    return log.isEnabledFor(logging.INFO)


def run_event(event: str, run_id: int, attempt: int | None, owner: str | None, **fields: Any) -> None:
    """Log ``event`` (``queued``, ``started``, ``succeeded``...) of one attempt of a run."""
    level = logging.INFO if event in QUIET else logging.WARNING
    if not log.isEnabledFor(level):
        return
    details = "".join(f" {key}={value}" for key, value in fields.items() if value is not None and key != "error")
    reason = f": {fields['error']}" if fields.get("error") else ""
    log.log(level, "run %s %s (attempt %s, owner %s)%s%s", run_id, event.replace("_", " "), attempt,
            owner or "-", details, reason,
            extra={"event": f"run.{event}", "run_id": run_id, "attempt": attempt, "owner_id": owner, **fields})


def progress_milestone(done_epochs: int, epochs: int) -> int | None:
    """The quarter (1-3) that ``done_epochs`` of ``epochs`` has just reached, or None between quarters.

    Called once per finished epoch: a run logs at most three progress lines, however long it is.
    """
    if epochs <= 0 or done_epochs >= epochs:
        return None
    reached = done_epochs * MILESTONES // epochs
    before = (done_epochs - 1) * MILESTONES // epochs
    return reached if reached > before and reached > 0 else None
