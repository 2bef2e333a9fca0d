"""A run's own page: read from the store every second while the run is active, once when it has ended."""

from __future__ import annotations

import time

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dash_app import ids
from dash_app.callbacks.training_figures import curves_figure, empty_figure
from dash_app.callbacks.training_support import parse_run_ids
from dash_app.components import alert
from dash_app.pages.training_parts import config_table, format_seconds, progress_block, status_badge
from dash_app.runs.control import cancel_run
from dash_app.runs.store import Run
from dash_app.web.training import artifact_path
from dash_app.workbench import get_workbench

ARTIFACT_TITLES = {
    "curves.png": "Loss and accuracy",
    "confusion_matrix.png": "Confusion matrix",
    "predictions.png": "Sample predictions",
    "decision_boundary.png": "Decision boundary",
    "predicted_vs_actual.png": "Predicted vs actual",
    "weights.pt": "Trained weights (state_dict)",
    "config.json": "Run configuration (JSON)",
}


def register(app: Dash) -> None:
    """Register the run page's callbacks."""
    app.callback(
        Output(ids.TRAIN_RUN_STATUS, "children"),
        Output(ids.TRAIN_RUN_PROGRESS, "children"),
        Output(ids.TRAIN_RUN_GRAPH, "figure"),
        Output(ids.TRAIN_RUN_ARTIFACTS, "children"),
        Output(ids.TRAIN_RUN_POLL, "disabled"),
        Input(ids.TRAIN_RUN_POLL, "n_intervals"),
        State(ids.TRAIN_RUN_ID, "data"),
    )(show_run)
    app.callback(
        Output(ids.TRAIN_RUN_ALERT, "children"),
        Input(ids.train_run_cancel(ALL), "n_clicks"),
        prevent_initial_call=True,
    )(cancel_from_run_page)


def show_run(_n, run_id_text):
    run_ids = parse_run_ids(str(run_id_text or ""), limit=1)
    run = get_workbench().runs.get(run_ids[0]) if run_ids else None
    if run is None:
        missing = alert(f"There is no run {run_id_text!r}.", color="warning")
        return missing, "", empty_figure("No such run"), "", True
    store = get_workbench().runs
    history = store.metrics([run.id])[run.id]
    classifier = run.config.get("dataset") != "table" or run.config.get("task") == "classification"
    figure = curves_figure({f"#{run.id}": history}, uirevision=f"run-{run.id}", classifier=classifier)
    artifacts = artifact_gallery(run, store.artifacts(run.id)) if not run.is_active else ""
    return heading(run), details(run), figure, artifacts, not run.is_active


def heading(run: Run) -> html.Div:
    cancel = dbc.Button([html.I(className="bi bi-stop-circle me-1"), "Cancel"], id=ids.train_run_cancel(run.id),
                        color="danger", outline=True, className="train-cancel") if run.is_active else None
    parts = [
        html.Div([html.H1(f"Run #{run.id}", className="app-page-title"), status_badge(run.status), cancel],
                 className="train-run-title"),
        html.P(run.summary, className="app-page-subtitle"),
    ]
    if run.error:
        color = "danger" if run.status == "failed" else "secondary"
        parts.append(dbc.Alert([html.I(className="bi bi-exclamation-octagon me-2"), html.Strong("Error: "), run.error],
                               color=color, className="train-run-error"))
    return html.Div(parts)


def details(run: Run) -> list:
    facts = [
        ("Started by", run.user or "local"),
        ("Device", run.device or "–"),
        ("Created", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.created_at))),
        ("Ran for", format_seconds(run.duration(time.time())) if run.started_at else "–"),
    ]
    block = [progress_block(run)] if run.is_active else []
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
        return [html.P("This run left no artifacts (only finished runs write them).", className="train-empty")]
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


def image_card(src: str, name: str) -> dbc.Card:
    return dbc.Card([
        dbc.CardHeader([html.Span(ARTIFACT_TITLES.get(name, name)),
                        html.A(html.I(className="bi bi-download"), href=src + "?download=1",
                               title=f"Download {name}", className="train-image-download")],
                       className="train-image-header"),
        html.A(html.Img(src=src, alt=ARTIFACT_TITLES.get(name, name), className="train-artifact-image",
                        width=800, height=600), href=src, target="_blank"),
    ], className="train-card train-image-card")


def cancel_from_run_page(clicks):
    if not ctx.triggered_id or not any(clicks):
        raise PreventUpdate
    run = cancel_run(get_workbench().runs, ctx.triggered_id["run"])
    if run is None:
        return no_update
    return alert(f"Run #{run.id} is {run.status}.", color="info", icon="bi-slash-circle")
