"""The live part of the Training page: active runs, live curves and the history grid, all read from the store.

The store is the source of truth, so a reloaded page, a second tab or another user sees the same runs
(every run when runs are shared, the user's own otherwise; callbacks/training_support.py ``Viewer``). Only
a run's owner and admins get its Cancel button, and a cancel replayed for another's run is refused.
The poll is fast (1 s) only while a run is queued or running, and faster (0.25 s) while one is starting, so
its first progress shows within half a second; each answer sends only what changed. While the store does not
answer, the cards say so, and everything is sent again once it answers.
"""

from __future__ import annotations

import time
from datetime import datetime

import dash
from dash import ALL, Dash, Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate

from dash_app import ids
from dash_app.callbacks.training_figures import curves_figure, empty_figure
from dash_app.callbacks.training_support import (
    STORE_ERRORS, Viewer, cancel_pressed, run_of, store_unavailable, unattended,
)
from dash_app.callbacks.wiring import clientside
from dash_app.components.training import (
    POLL_ACTIVE_MS, POLL_IDLE_MS, POLL_STARTING_MS, active_card, format_seconds, progress_block, run_href,
)
from dash_app.runs.control import reap
from dash_app.runs.store import Run
from dash_app.workbench import get_workbench


def register(app: Dash) -> None:
    """Register the live view's callbacks."""
    app.callback(
        output={"cards": Output(ids.TRAIN_ACTIVE, "children"), "rows": Output(ids.TRAIN_RUNS_GRID, "rowData"),
                "row_updates": Output(ids.TRAIN_RUNS_GRID, "rowTransaction"),
                "signature": Output(ids.TRAIN_RUNS_SIGNATURE, "data"), "interval": Output(ids.TRAIN_POLL, "interval"),
                "figure": Output(ids.TRAIN_LIVE_GRAPH, "figure"), "title": Output(ids.TRAIN_LIVE_TITLE, "children")},
        inputs={"n_intervals": Input(ids.TRAIN_POLL, "n_intervals"), "refreshed": Input(ids.TRAIN_REFRESH, "data")},
        state={"signature": State(ids.TRAIN_RUNS_SIGNATURE, "data")},
    )(refresh)
    app.callback(
        output={"bodies": Output(ids.train_active_body(ALL), "children")},
        inputs={"signature": Input(ids.TRAIN_RUNS_SIGNATURE, "data")},
        state={"body_ids": State(ids.train_active_body(ALL), "id")},
        prevent_initial_call=True,
    )(update_progress)
    clientside(app, "training", "cancelRequest", Output(ids.TRAIN_CANCEL_REQUEST, "data"),
               Input(ids.train_cancel(ALL), "n_clicks"), prevent_initial_call=True)
    app.callback(
        output={"message": Output(ids.TRAIN_CANCEL_ALERT, "children"),
                "refresh": Output(ids.TRAIN_REFRESH, "data", allow_duplicate=True)},
        inputs={"request": Input(ids.TRAIN_CANCEL_REQUEST, "data")},
        state={"refresh": State(ids.TRAIN_REFRESH, "data")},
        prevent_initial_call=True,
    )(cancel)
    app.callback(
        output={"href": Output(ids.TRAIN_COMPARE_LINK, "href"), "disabled": Output(ids.TRAIN_COMPARE_LINK, "disabled")},
        inputs={"selected": Input(ids.TRAIN_RUNS_GRID, "selectedRows")},
    )(compare_link)


def refresh(n_intervals, refreshed, signature) -> dict:
    """Send the active runs, the grid rows and the live curves when they changed since the last answer.

    Cards are re-rendered only when the set of active runs or a status changes, so a Cancel button is
    never replaced under the user's pointer; their progress is refreshed by :func:`update_progress`.
    """
    try:
        return _refresh(signature)
    except STORE_ERRORS as error:
        return {"cards": store_unavailable(error), "rows": no_update, "row_updates": no_update, "signature": None,
                "interval": POLL_IDLE_MS, "figure": no_update, "title": no_update}


def _refresh(signature) -> dict:
    workbench = get_workbench()
    store = workbench.runs
    viewer = Viewer()
    runs = store.list_runs(owner=viewer.owner_filter)
    if reap(store, [run for run in runs if run.is_active], workbench.settings.heartbeat_timeout_s):
        runs = store.list_runs(owner=viewer.owner_filter)
    active = [run for run in runs if run.is_active]
    new_signature = _signature(runs, active)
    old = signature if isinstance(signature, dict) else {}
    changed = {key for key in new_signature if old.get(key) != new_signature[key]}
    answer = {"cards": no_update, "rows": no_update, "row_updates": no_update, "signature": no_update,
              "interval": _interval(active), "figure": no_update, "title": no_update}
    if not changed:
        return answer
    answer["signature"] = new_signature
    if "active" in changed or not old:
        waiting = unattended(active)
        answer["cards"] = [active_card(run, can_cancel=viewer.may_cancel(run), unattended=waiting)
                           for run in active] or _no_active()
    if changed & {"rows", "active", "curve"}:
        answer["figure"], answer["title"] = _live_curves(store, active, runs)
    if "rows" in changed:
        answer["rows"] = grid_rows(runs)
    elif "epochs" in changed:  # only the running runs' rows: their figures after each epoch
        answer["row_updates"] = {"update": grid_rows([run for run in active if run.status == "running"])}
    return answer


def _interval(active: list[Run]) -> int:
    """How soon to look again: soonest while a run is starting (running with no progress yet, or queued
    where a slot is free), so its first progress is shown as soon as it comes."""
    free = get_workbench().settings.max_concurrent_jobs - sum(run.status == "running" for run in active)
    starting = any(not run.progress and (run.status == "running" or (run.queue_position or 0) <= free)
                   for run in active)
    return POLL_STARTING_MS if starting else POLL_ACTIVE_MS if active else POLL_IDLE_MS


def _signature(runs: list[Run], active: list[Run]) -> dict:
    """What the page shows, in short: a part that differs from the last answer's is sent again."""
    live = next((run for run in reversed(active) if run.status == "running"), None)
    return {
        "rows": [[run.id, run.status] for run in runs],
        "epochs": [[run.id, (run.progress or {}).get("epoch")] for run in active if run.status == "running"],
        "active": [[run.id, run.status, bool(run.progress)] for run in active],  # the first progress redraws
        "curve": [live.id, (live.progress or {}).get("epoch")] if live else None,
        "tick": int(time.time()) if active else None,  # progress bodies follow every tick
    }


def update_progress(signature, body_ids) -> dict:
    """Refresh the progress block inside each active run's card (the card itself stays)."""
    if not body_ids:
        raise PreventUpdate
    owner = Viewer().owner_filter
    try:
        runs = {run.id: run for run in get_workbench().runs.list_runs(active_only=True, owner=owner)}
    except STORE_ERRORS:  # the cards say so (refresh)
        raise PreventUpdate from None
    waiting = unattended(runs.values())
    return {"bodies": [progress_block(runs[run_id], unattended=waiting) if (run_id := run_of(item)) in runs
                       else no_update for item in body_ids]}


def _no_active() -> html.Div:
    return html.Div([html.I(className="bi bi-moon-stars me-2"), "No run is queued or running. Start one with the form."],
                    className="train-empty")


def _live_curves(store, active: list[Run], runs: list[Run]):
    """Curves of the oldest running run; with none running, those of the newest run that has any."""
    running = [run for run in active if run.status == "running"]
    run = running[-1] if running else next((run for run in runs if run.started_at is not None), None)
    if run is None:
        return empty_figure("Live curves appear here while a run trains"), "Live curves"
    history = store.metrics([run.id])[run.id]
    figure = curves_figure({f"#{run.id}": history}, uirevision=f"run-{run.id}", accuracy=run.is_classifier,
                           rmse=not run.is_classifier, ended=not run.is_active)
    heading = "Live curves of run" if running else "Curves of the last run,"
    return figure, [f"{heading} #{run.id} ", html.Small(f"{run.summary} · {run.status}", className="text-body-secondary")]


def grid_rows(runs: list[Run]) -> list[dict]:
    """One row per run for the history grid, with a link to its page."""
    rows = []
    for run in runs:
        metrics = (run.progress or {}).get("metrics") or {}
        rows.append({
            "id_value": str(run.id),
            "id": f"[#{run.id}]({run_href(run.id)})",
            "run_id": run.id,
            "status": run.status,
            "summary": run.summary,
            "val_accuracy": metrics.get("val_accuracy"),
            "val_loss": metrics.get("val_loss"),
            "epochs": run.config.get("epochs"),
            "user": run.user or "local",
            "device": run.device or "",
            "created": datetime.fromtimestamp(run.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            "duration": format_seconds(run.duration(time.time())) if run.started_at else "",
            "duration_s": run.duration(time.time()) if run.started_at else None,
            "error": run.error or "",
        })
    return rows


def cancel(request, refresh) -> dict:
    """Cancel the run whose button was pressed, from any tab, for its owner or an admin; wait until it has stopped."""
    message, changed = cancel_pressed(request)
    return {"message": message, "refresh": (refresh or 0) + 1 if changed else no_update}


def compare_link(selected) -> dict:
    """The Compare button's address names the selected runs; it is enabled from two runs on."""
    rows = selected if isinstance(selected, list) else []  # the grid's selected rows; anything else selects none
    chosen = sorted(row["run_id"] for row in rows if isinstance(row, dict) and isinstance(row.get("run_id"), int)
                    and not isinstance(row["run_id"], bool))
    href = dash.get_relative_path("/training/compare") + "?runs=" + ",".join(str(run_id) for run_id in chosen)
    return {"href": href, "disabled": len(chosen) < 2}
