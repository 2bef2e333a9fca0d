"""A run's own page: read from the store every second while the run is active, once when it has ended.

Another user's run shows read-only when runs are shared (no Cancel, no Resume), and not at all otherwise; a
Cancel or Resume replayed for a run that is not yours is refused (callbacks/training_support.py ``Viewer``).
A cancelled or interrupted run offers its owner (and admins) Resume: a new attempt of the same run that continues
from its last finished epoch (dash_app/runs/control.py ``resume_run``); the page then follows it again.
"""

from __future__ import annotations

import time

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate

from dash_app import ids
from dash_app.callbacks.training_figures import curves_figure, empty_figure
from dash_app.callbacks.training_support import (
    STORE_ERRORS, Viewer, cancel_pressed, not_yours_to_resume, pressed_runs, run_number, store_unavailable,
    unattended,
)
from dash_app.callbacks.wiring import clientside
from dash_app.components import alert
from dash_app.components.training import (
    ARTIFACT_TITLES, config_table, format_seconds, image_card, progress_block, status_badge,
)
from dash_app.runs.artifacts import artifact_path
from dash_app.runs.control import reap, resume_run
from dash_app.runs.store import RESUMABLE, Run, TooManyRuns
from dash_app.workbench import get_workbench


def register(app: Dash) -> None:
    """Register the run page's callbacks."""
    app.callback(
        output={"heading": Output(ids.TRAIN_RUN_STATUS, "children"),
                "details": Output(ids.TRAIN_RUN_PROGRESS, "children"),
                "figure": Output(ids.TRAIN_RUN_GRAPH, "figure"),
                "artifacts": Output(ids.TRAIN_RUN_ARTIFACTS, "children"),
                "poll_off": Output(ids.TRAIN_RUN_POLL, "disabled"),
                "body_hidden": Output(ids.TRAIN_RUN_BODY, "hidden")},
        inputs={"n_intervals": Input(ids.TRAIN_RUN_POLL, "n_intervals")},
        state={"run_id_text": State(ids.TRAIN_RUN_ID, "data")},
    )(show_run)
    clientside(app, "training", "cancelRequest", Output(ids.TRAIN_RUN_CANCEL_REQUEST, "data"),
               Input(ids.train_run_cancel(ALL), "n_clicks"), prevent_initial_call=True)
    app.callback(
        output={"message": Output(ids.TRAIN_RUN_ALERT, "children")},
        inputs={"request": Input(ids.TRAIN_RUN_CANCEL_REQUEST, "data")},
        prevent_initial_call=True,
    )(cancel_from_run_page)
    app.callback(
        output={"message": Output(ids.TRAIN_RUN_ALERT, "children", allow_duplicate=True),
                "poll_off": Output(ids.TRAIN_RUN_POLL, "disabled", allow_duplicate=True)},
        inputs={"clicks": Input(ids.train_run_resume(ALL), "n_clicks")},
        state={"button_ids": State(ids.train_run_resume(ALL), "id")},
        prevent_initial_call=True,
    )(resume_from_run_page)


def show_run(n_intervals, run_id_text) -> dict:
    """The run's heading, facts, curves and (once it has ended) artifacts; polling stops when it has ended.

    A store that does not answer is said in the heading; the page keeps polling and shows the run once it does.
    """
    try:
        return _show_run(run_id_text)
    except STORE_ERRORS as error:
        return {"heading": store_unavailable(error), "details": no_update, "figure": no_update,
                "artifacts": no_update, "poll_off": False, "body_hidden": True}


def _show_run(run_id_text) -> dict:
    workbench = get_workbench()
    store = workbench.runs
    run_id = run_number(run_id_text)
    run = store.get(run_id) if run_id else None
    viewer = Viewer()
    if run is not None and viewer.may_view(run) and run.is_active \
            and reap(store, [run], workbench.settings.heartbeat_timeout_s):
        run = store.get(run.id)  # its job had died: the page says so at once
    if run is None or not viewer.may_view(run):  # the message alone, and the way back to every run
        # another user's run, where runs are not shared, is not there for this user: the words for an unknown id
        text = f"There is no run #{run_id}." if run_id else f"“{str(run_id_text)[:40]}” is not a run number."
        return {"heading": alert(text, color="warning", dismissable=False), "details": "",
                "figure": empty_figure("No such run"), "artifacts": "", "poll_off": True, "body_hidden": True}
    history = store.metrics([run.id])[run.id]
    figure = curves_figure({f"#{run.id}": history}, uirevision=f"run-{run.id}", accuracy=run.is_classifier,
                           rmse=not run.is_classifier, ended=not run.is_active)
    artifacts = artifact_gallery(run, store.artifacts(run.id)) if not run.is_active else ""
    return {"heading": heading(run, can_control=viewer.may_cancel(run)),
            "details": details(run, show_owner_id=viewer.identity.admin), "figure": figure, "artifacts": artifacts,
            "poll_off": not run.is_active, "body_hidden": False}


def heading(run: Run, *, can_control: bool = True) -> html.Div:
    """Title, status and (for its owner and admins) the run's action: Cancel or Resume."""
    parts = [
        html.Div([html.H1(f"Run #{run.id}", className="app-page-title"), status_badge(run.status), _action(run, can_control)],
                 className="train-run-title"),
        html.P(run.summary, className="app-page-subtitle"),
    ]
    if run.error:
        color = "danger" if run.status == "failed" else "secondary"
        parts.append(alert([html.Strong("Error: "), run.error], color, icon="bi-exclamation-octagon", dismissable=False,
                           className="train-run-error"))
    return html.Div(parts)


def _action(run: Run, can_control: bool) -> dbc.Button | None:
    """Cancel while the run is active; Resume once it was cancelled or interrupted; nothing for other users."""
    if not can_control:
        return None
    if run.is_active:
        return dbc.Button([html.I(className="bi bi-stop-circle me-1"), "Cancel"], id=ids.train_run_cancel(run.id),
                          color="danger", outline=True, className="train-cancel")
    if run.status in RESUMABLE:
        return dbc.Button([html.I(className="bi bi-play-circle me-1"), "Resume"], id=ids.train_run_resume(run.id),
                          color="primary", outline=True, className="train-resume",
                          title="Continue from the last finished epoch, as a new attempt of this run")
    return None


def details(run: Run, *, show_owner_id: bool = False) -> list:
    """The run's facts and settings; admins also see the owner's user id (display names may repeat)."""
    started_by = run.user or "local"
    if show_owner_id and run.owner:
        started_by = f"{started_by} (user id {run.owner})"
    facts = [
        ("Started by", started_by),
        ("Device", run.device or "–"),
        ("Created", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.created_at))),
        ("Ran for", format_seconds(run.duration(time.time())) if run.started_at else "–"),
        *([("Attempt", f"{run.attempt} (resumed)")] if run.attempt > 1 else []),
    ]
    block = [progress_block(run, unattended=unattended([run]))] if run.is_active else []
    return [
        html.H2([html.I(className="bi bi-info-circle me-2"), "Run"], className="train-card-title"),
        *block,
        dbc.Table(html.Tbody([html.Tr([html.Th(k), html.Td(v)]) for k, v in facts]), size="sm", borderless=True,
                  className="train-config-table"),
        html.H3("Settings", className="train-subtitle"),
        config_table(run.config),
    ]


def artifact_gallery(run: Run, names: list[str]) -> list:
    """The run's images, each with a download button, then its files."""
    if not names:
        return [html.P("This run left no pictures or files (only finished runs write them).", className="train-empty")]
    settings = get_workbench().settings
    images = [name for name in names if name.endswith(".png")]
    files = [name for name in names if not name.endswith(".png")]
    cards = [dbc.Col(image_card(artifact_path(settings, run.id, name), name), md=6) for name in images]
    downloads = [dbc.Button([html.I(className="bi bi-download me-1"), ARTIFACT_TITLES.get(name, name)],
                            href=artifact_path(settings, run.id, name) + "?download=1", external_link=True,
                            color="secondary", outline=True, className="train-download") for name in files]
    return [
        html.H2([html.I(className="bi bi-images me-2"), "Artifacts"], className="train-card-title"),
        dbc.Row(cards, className="g-4"),
        html.Div(downloads, className="train-downloads mt-3"),
    ]


def cancel_from_run_page(request) -> dict:
    """Cancel the run whose page this is (its Cancel button was pressed) and say how it ended."""
    return {"message": cancel_pressed(request)[0]}


def resume_from_run_page(clicks: list, button_ids: list[dict]) -> dict:
    """Resume the run whose page this is (its Resume button was pressed); the page follows it again."""
    pressed = pressed_runs(button_ids, clicks)
    if not pressed:
        raise PreventUpdate
    workbench = get_workbench()
    try:
        found = workbench.runs.get(pressed[0])
        if found is not None and not Viewer().may_cancel(found):
            return {"message": alert(not_yours_to_resume(found), color="danger", icon="bi-shield-lock"),
                    "poll_off": no_update}
        run = resume_run(workbench.runs, workbench.launcher, pressed[0], workbench.settings.max_active_runs_per_user)
    except TooManyRuns as error:
        return {"message": alert(f"Not resumed: {error}.", color="warning"), "poll_off": no_update}
    except STORE_ERRORS as error:
        return {"message": store_unavailable(error), "poll_off": no_update}
    if run is None:
        return {"message": no_update, "poll_off": no_update}
    if run.is_active and run.attempt > 1:
        message = alert(f"Run #{run.id} resumed: attempt {run.attempt} continues from its last finished epoch.",
                        color="success", icon="bi-play-circle")
        return {"message": message, "poll_off": False}
    return {"message": alert(f"Run #{run.id} is {run.status}.", color="info", icon="bi-info-circle"),
            "poll_off": not run.is_active}
