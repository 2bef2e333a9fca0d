"""What the Training callbacks share: run ids in addresses, and who may see or cancel which run.

Runs belong to the user who started them (their stable id, dash_app/identity.py). With
``DASH_APP_SHARE_RUNS`` on (the default) every signed-in user sees every run read-only; cancel stays
with the owner and admins either way.
"""

from __future__ import annotations

import logging

from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dash_app.auth import current_identity
from dash_app.components import alert
from dash_app.data.engines import error_reason
from dash_app.identity import Identity, may_control_run, may_view_run
from dash_app.runs.control import cancel_run
from dash_app.runs.schema import CANCELLED
from dash_app.runs.store import Run
from dash_app.workbench import get_workbench

log = logging.getLogger(__name__)

# What the run store raises when it does not answer (stopped, unreachable): the page says so and tries again.
STORE_ERRORS = (SQLAlchemyError,)


def store_unavailable(error: BaseException):
    """The alert for a store that does not answer; the page's next poll or click tries again by itself. The
    driver's words (hosts, ports) go to the log, not to the page."""
    log.warning("run store: %s", error_reason(error))
    return alert("Service unavailable: the run store does not answer. This page tries again by itself; runs keep "
                 "training meanwhile.", color="warning", icon="bi-cloud-slash", dismissable=False,
                 className="store-unavailable")


def unattended(runs) -> bool:
    """Whether queued runs among ``runs`` wait with no worker running to take them (Celery only: a web process
    that starts its own job processes always has one). One Redis read, and only where a run is queued."""
    launcher = get_workbench().launcher
    return launcher is not None and any(run.status == "queued" for run in runs) and launcher.unattended()


def run_number(text: object) -> int | None:
    """The run id an address names ("12"), or None for anything else (a small positive integer only)."""
    part = text.strip() if isinstance(text, str) else ""
    return int(part) if part.isascii() and part.isdigit() and 0 < len(part) <= 9 and int(part) > 0 else None


def parse_run_ids(text: str | None, limit: int) -> list[int]:
    """Run ids from a query string such as "3,7,12"; anything that is not a small positive integer is dropped."""
    ids: list[int] = []
    for part in (text if isinstance(text, str) else "").split(","):
        run_id = run_number(part)
        if run_id is not None and run_id not in ids:
            ids.append(run_id)
    return ids[:limit]


def run_of(item: object) -> int | None:
    """The run id of a pattern-matching id (``{"type": ..., "run": id}``), None for anything else."""
    run_id = item.get("run") if isinstance(item, dict) else None
    return run_id if isinstance(run_id, int) and not isinstance(run_id, bool) and 0 < run_id < 2**53 else None


def pressed_runs(button_ids: object, clicks: object) -> list[int]:
    """The runs whose pattern-matching button was pressed (Dash sends ids and clicks in one order)."""
    if not isinstance(button_ids, list) or not isinstance(clicks, list):
        return []
    return [run_id for item, count in zip(button_ids, clicks) if count and (run_id := run_of(item)) is not None]


class Viewer:
    """The user of this request, as the Training pages ask about runs."""

    def __init__(self, identity: Identity | None = None, *, shared: bool | None = None) -> None:
        self.identity = identity or current_identity()
        self.shared = get_workbench().settings.share_runs if shared is None else shared

    @property
    def owner_filter(self) -> str | None:
        """The owner whose runs alone this user may list; None: every run."""
        if self.shared or self.identity.admin:
            return None
        return self.identity.id or ""

    def may_view(self, run: Run) -> bool:
        return may_view_run(self.identity, run.owner, shared=self.shared)

    def may_cancel(self, run: Run) -> bool:
        return may_control_run(self.identity, run.owner)


def shows_a_run(run_id: str | None = None, **_variables) -> bool:
    """Whether a run page's address names a run this user may see (a store that does not answer: the page
    says so itself, so it counts as there)."""
    number = run_number(run_id)
    if number is None:
        return False
    try:
        run = get_workbench().runs.get(number)
    except STORE_ERRORS:
        return True
    return run is not None and Viewer().may_view(run)


def not_yours_to_cancel(run: Run) -> str:
    started_by = f" ({run.user})" if run.user else ""
    return (f"Run #{run.id} was not cancelled: only the user who started it{started_by} or an admin may cancel it.")


def not_yours_to_resume(run: Run) -> str:
    started_by = f" ({run.user})" if run.user else ""
    return f"Run #{run.id} was not resumed: only the user who started it{started_by} or an admin may resume it."


def cancel_pressed(request: object) -> tuple[object, bool]:
    """Cancel the run of a Cancel press, for its owner or an admin, and wait until it has stopped.

    ``request`` is what the page's store holds after a press (``{"run": id, "at": ms}``, written by
    assets/js/training.js, so that the answer lands even when the poll has replaced the button meanwhile).
    Returns the message to show and whether the run changed; PreventUpdate for anything but a press.
    """
    run_id = run_of(request)
    if run_id is None:
        raise PreventUpdate
    try:
        store = get_workbench().runs
        found = store.get(run_id)
        if found is not None and not Viewer().may_cancel(found):
            return alert(not_yours_to_cancel(found), icon="bi-shield-lock"), False
        run = cancel_run(store, run_id, launcher=get_workbench().launcher) if found is not None else None
    except STORE_ERRORS as error:
        return store_unavailable(error), False
    if run is None:
        return alert(f"Run #{run_id} does not exist."), False
    if run.status == CANCELLED:
        return alert(f"Run #{run_id} cancelled.", color="info", icon="bi-slash-circle"), True
    return alert(f"Run #{run_id} had already ended: {run.status}.", color="secondary", icon="bi-info-circle"), False
