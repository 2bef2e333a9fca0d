"""Pieces of the Training pages drawn from a run: status badges, live progress, config tables, pictures.

Layout only (no database, no callbacks): the pages (pages/training*.py) draw their frames with them and
the callbacks (callbacks/training_*.py) fill them with runs they read from the store.
"""

from __future__ import annotations

import time

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app import ids
from dash_app.components import GRAPH_CONFIG
from dash_app.jobs.config import dataset_fields
from dash_app.runs.store import Run

POLL_ACTIVE_MS = 1000  # while a run is queued or running
POLL_STARTING_MS = 250  # while a run is starting (about to start, or started with no progress yet): its first
# progress comes within about a second of Start, and the page shows it within half a second after that
POLL_IDLE_MS = 5000  # otherwise: still notices runs other users start
PROGRESS_LABEL_FROM = 0.1  # a narrower bar (a phone's card) would cut its percentage: the epoch and step say it

STATUS_LOOK = {
    "queued": ("secondary", "bi-hourglass-split", "Queued"),
    "running": ("primary", "bi-arrow-repeat", "Running"),
    "succeeded": ("success", "bi-check-circle-fill", "Succeeded"),
    "failed": ("danger", "bi-x-octagon-fill", "Failed"),
    "cancelled": ("warning", "bi-slash-circle", "Cancelled"),
    "interrupted": ("dark", "bi-lightning-charge-fill", "Interrupted"),
}
CONFIG_LABELS = {
    "dataset": "Data", "model": "Model", "epochs": "Epochs", "batch_size": "Batch size",
    "learning_rate": "Learning rate", "optimizer": "Optimizer", "hidden_size": "Hidden size",
    "val_split": "Validation split", "seed": "Seed", "spiral_classes": "Spiral classes",
    "spiral_points": "Points per class", "spiral_noise": "Noise", "database": "Database", "table": "Table",
    "features": "Features", "target": "Target", "task": "Task", "max_rows": "Row limit",
}
# The words the form shows for each choice; a run's settings (run page, Compare) show the same words.
CHOICE_LABELS = {
    "dataset": {"digits": "Digits", "spirals": "Spirals", "table": "Table"},
    "model": {"mlp": "MLP", "cnn": "CNN (digits)"},
    "optimizer": {"adam": "Adam", "adamw": "AdamW", "sgd": "SGD with momentum"},
    "task": {"classification": "Classify", "regression": "Regress"},
}
ARTIFACT_TITLES = {
    "curves.png": "Loss and accuracy",
    "confusion_matrix.png": "Confusion matrix",
    "predictions.png": "Sample predictions",
    "decision_boundary.png": "Decision boundary",
    "predicted_vs_actual.png": "Predicted vs actual",
    "weights.pt": "Trained weights (state_dict)",
    "config.json": "Run configuration (JSON)",
}


def run_href(run_id: int) -> str:
    return dash.get_relative_path(f"/training/runs/{run_id}")


def status_badge(status: str) -> dbc.Badge:
    color, icon, label = STATUS_LOOK.get(status, ("secondary", "bi-question-circle", status))
    return dbc.Badge([html.I(className=f"bi {icon} me-1"), label], color=color, pill=True,
                     className=f"train-status train-status-{status}")


def format_seconds(seconds: float | None) -> str:
    """A duration for people: 4.2 s, 3 min 05 s, 1 h 02 min."""
    if seconds is None:
        return "–"
    seconds = max(0.0, float(seconds))
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_metric(value) -> str:
    return "–" if value is None else f"{value:.4f}" if abs(value) < 100 else f"{value:,.1f}"


def format_percent(value) -> str:
    """An accuracy as the run history shows it (97.2%)."""
    return "–" if value is None else f"{value:.1%}"


def progress_block(run: Run, *, unattended: bool = False) -> html.Div:
    """Progress bar and figures of an active run; a queued run shows its place in the queue, or, where no
    worker is running to take it (``unattended``: the launcher's answer), says so."""
    if run.status == "queued":
        place = run.queue_position or 1
        text = "next to start" if place == 1 else f"position {place} in the queue"
        note = ([html.I(className="bi bi-exclamation-triangle me-1"),
                 f"Waiting for a training worker: none is running ({text})"] if unattended else
                [html.I(className="bi bi-hourglass-split me-1"), f"Waiting for a free slot: {text}"])
        return html.Div([dbc.Progress(value=100, striped=True, animated=True, color="secondary",
                                      className="train-progress"),
                         html.Div(note, className="train-queue-note")], className="train-progress-block")
    progress = run.progress or {}
    if not progress:
        return html.Div([dbc.Progress(value=100, striped=True, animated=True, className="train-progress"),
                         html.Div([html.I(className="bi bi-cpu me-1"),
                                   f"Preparing data and model… ({format_seconds(run.duration(time.time()))})"],
                                  className="train-queue-note")], className="train-progress-block")
    fraction = (progress.get("step") or 0) / (progress.get("total_steps") or 1)
    metrics = progress.get("metrics") or {}
    stats = [
        ("Epoch", f"{progress.get('epoch', '–')} / {progress.get('epochs', run.config.get('epochs', '–'))}"),
        ("Step", f"{progress.get('step', 0):,} / {progress.get('total_steps', 0):,}"),
        ("Train loss", format_metric(progress.get("loss"))),
        ("Val loss", format_metric(metrics.get("val_loss"))),
        ("Val accuracy", format_percent(metrics.get("val_accuracy"))) if run.is_classifier else
        ("Val RMSE", format_metric(metrics.get("val_rmse"))),
        ("Elapsed", format_seconds(run.duration(time.time()))),
        ("ETA", format_seconds(progress.get("eta")) if progress else "starting…"),
    ]
    return html.Div(
        [
            dbc.Progress(value=round(fraction * 100, 1), striped=True, animated=True, className="train-progress",
                         label=f"{fraction:.0%}" if fraction >= PROGRESS_LABEL_FROM else None),
            html.Dl([html.Div([html.Dt(name), html.Dd(value)], className="train-stat") for name, value in stats],
                    className="train-stats"),
        ],
        className="train-progress-block",
    )


def active_card(run: Run, *, can_cancel: bool = True, unattended: bool = False) -> dbc.Card:
    """One queued or running run with its progress, who started it, and (for its owner and admins) a Cancel button."""
    cancel = dbc.Button([html.I(className="bi bi-stop-circle me-1"), "Cancel"], id=ids.train_cancel(run.id),
                        color="danger", outline=True, size="sm", className="train-cancel ms-auto")
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.A(f"#{run.id}", href=run_href(run.id), className="train-run-link"),
                    html.Span(run.summary, className="train-run-summary"),
                    status_badge(run.status),
                    html.Span(run.user or "", className="train-run-user", title="started by"),
                    cancel if can_cancel else None,
                ],
                className="train-active-header",
            ),
            dbc.CardBody(progress_block(run, unattended=unattended), id=ids.train_active_body(run.id)),
        ],
        className="train-active-card",
        id=ids.train_active_card(run.id),
    )


GRAPH_FRAME = "train-graph-frame"


def curves_graph(component_id: str, height_px: int, frame_id: str | None = None) -> html.Div:
    """A chart in a frame that has its height from the first paint.

    Until plotly.js has loaded, dcc.Graph renders an empty placeholder without its ``style``; a graph sized by
    its own style would start 0 px tall and push everything below it down when it draws.
    """
    return html.Div(
        dcc.Graph(id=component_id, config=GRAPH_CONFIG, className="train-graph",
                  style={"height": "100%"}),
        className=GRAPH_FRAME, style={"height": f"{height_px}px"}, **({"id": frame_id} if frame_id else {}),
    )


def graph_frame_class(panels: int) -> str:
    """The frame of a chart of ``panels`` side by side: three keep a legible width on a phone and scroll
    sideways in their frame (assets/css/training.css)."""
    return GRAPH_FRAME + (" train-graph-wide" if panels > 2 else "")


def choice_options(field: str) -> list[dict]:
    """The form's options for a choice, in the words the settings tables show."""
    return [{"label": label, "value": value} for value, label in CHOICE_LABELS[field].items()]


def shown_setting(field: str, value) -> str:
    """A setting's value as the page writes it: a choice in the form's words, a list joined, "–" for none."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "–"
    if value is None or value == "":
        return "–"
    return CHOICE_LABELS.get(field, {}).get(value, str(value)) if isinstance(value, str) else str(value)


def config_items(config: dict) -> list[tuple[str, str, str]]:
    """(field, label, shown value) of the settings that matter for this run's data set."""
    wanted = dataset_fields(config.get("dataset"))
    return [(field, label, shown_setting(field, config[field])) for field, label in CONFIG_LABELS.items()
            if field in config and field in wanted]


def config_table(config: dict) -> dbc.Table:
    rows = [html.Tr([html.Th(label), html.Td(value)]) for _, label, value in config_items(config)]
    return dbc.Table(html.Tbody(rows), size="sm", borderless=True, className="train-config-table mb-0")


def image_card(src: str, name: str) -> dbc.Card:
    """One picture of a run, with its title and a download button."""
    return dbc.Card([
        dbc.CardHeader([html.Span(ARTIFACT_TITLES.get(name, name)),
                        html.A(html.I(className="bi bi-download"), href=src + "?download=1",
                               title=f"Download {name}", className="train-image-download")],
                       className="train-image-header"),
        html.A(html.Img(src=src, alt=ARTIFACT_TITLES.get(name, name), className="train-artifact-image",
                        width=800, height=600), href=src, target="_blank"),
    ], className="train-card train-image-card")
