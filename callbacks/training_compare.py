"""Compare runs: their curves on one chart, their settings side by side, their pictures side by side.

Only runs the user may see are compared (every run when runs are shared; callbacks/training_support.py).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, html

from dash_app import ids
from dash_app.callbacks.training_figures import curves_figure, empty_figure
from dash_app.callbacks.training_support import STORE_ERRORS, Viewer, parse_run_ids, store_unavailable
from dash_app.components import alert
from dash_app.components.training import (
    ARTIFACT_TITLES, CONFIG_LABELS, graph_frame_class, image_card, run_href, shown_setting, status_badge,
)
from dash_app.jobs.config import dataset_fields
from dash_app.runs.artifacts import artifact_path
from dash_app.runs.store import Run
from dash_app.workbench import get_workbench

MAX_COMPARED = 8  # runs side by side: the first ones the address names


def register(app: Dash) -> None:
    """Register the compare view's callback."""
    app.callback(
        output={"note": Output(ids.TRAIN_COMPARE_ALERT, "children"),
                "figure": Output(ids.TRAIN_COMPARE_GRAPH, "figure"),
                "frame": Output(ids.TRAIN_COMPARE_GRAPH_FRAME, "className"),
                "settings": Output(ids.TRAIN_COMPARE_CONFIG, "children"),
                "panels": Output(ids.TRAIN_COMPARE_PANELS, "hidden"),
                "pictures": Output(ids.TRAIN_COMPARE_ARTIFACTS, "children")},
        inputs={"run_ids_text": Input(ids.TRAIN_COMPARE_IDS, "data")},
    )(compare)


def compare(run_ids_text) -> dict:
    """The runs named in the address: their curves on one chart, their settings and pictures side by side
    (a store that does not answer is said instead: the page opened again shows them)."""
    try:
        return _compare(run_ids_text)
    except STORE_ERRORS as error:
        return _nothing_compared(store_unavailable(error))


def _nothing_compared(note) -> dict:
    """Only the message that says why: no empty chart, no empty settings table under it."""
    return {"note": note, "figure": empty_figure("Nothing to compare"), "frame": graph_frame_class(1), "settings": "",
            "pictures": "", "panels": True}


def _compare(run_ids_text) -> dict:
    asked = parse_run_ids(run_ids_text, limit=MAX_COMPARED * 10)
    wanted, beyond = asked[:MAX_COMPARED], asked[MAX_COMPARED:]
    store = get_workbench().runs
    viewer = Viewer()
    found = store.get_many(wanted)
    runs = [run for run in found if viewer.may_view(run)]
    # another user's run, where runs are not shared, is not there for this user: the same words as an unknown id
    missing = [run_id for run_id in wanted if run_id not in {run.id for run in runs}]
    if len(runs) < 2:
        lead = f"{_left_out(missing, beyond)}. " if missing else ""
        history = html.A("run history", href=dash.get_relative_path("/training"))
        choose = [f"{lead}Choose two or more runs in the ", history, " to compare them."]
        return _nothing_compared(alert(choose, color="warning") if missing else
                                 alert(choose, color="info", icon="bi-info-circle"))
    histories = store.metrics([run.id for run in runs])
    blank = [run for run in runs if not histories[run.id]]
    if missing or beyond:
        note = alert(_left_out(missing, beyond), color="warning")
    elif blank and len(blank) < len(runs):  # (with none, the chart itself says so)
        note = alert(f"{', '.join(f'#{run.id}' for run in blank)} {'has' if len(blank) == 1 else 'have'} no finished "
                     f"epoch{' yet' if any(run.is_active for run in blank) else ''}, so no curves.",
                     color="info", icon="bi-info-circle")
    else:
        note = ""
    accuracy, rmse = any(run.is_classifier for run in runs), not all(run.is_classifier for run in runs)
    figure = curves_figure({f"#{run.id}": histories[run.id] for run in runs},
                           uirevision="compare-" + "-".join(str(run.id) for run in runs), accuracy=accuracy, rmse=rmse,
                           ended=not any(run.is_active for run in runs))
    return {"note": note, "figure": figure, "frame": graph_frame_class(1 + accuracy + rmse),
            "settings": config_diff(runs), "pictures": artifacts_side_by_side(runs, store), "panels": False}


def _left_out(missing: list[int], beyond: list[int]) -> str:
    """Which asked-for runs are not compared: those not there for this user, and those past the first
    MAX_COMPARED."""
    parts = []
    if beyond:
        shown = ", ".join(f"#{i}" for i in beyond[:20]) + (f" and {len(beyond) - 20} more" if len(beyond) > 20 else "")
        parts.append(f"At most {MAX_COMPARED} runs are compared at once, left out: {shown}")
    if missing:
        parts.append(f"Not found, left out: {', '.join(f'#{i}' for i in missing)}")
    return ". ".join(parts)


def setting(run: Run, field: str):
    """A run's value of a setting, None where its data set does not use it (a digits run reads no table rows)."""
    return run.config.get(field) if field in dataset_fields(run.config.get("dataset")) else None


def differing_fields(runs: list[Run]) -> set[str]:
    """Settings whose values are not the same in every run (a setting a run's data set does not use is none)."""
    fields = {field for run in runs for field in run.config}
    return {field for field in fields if len({repr(setting(run, field)) for run in runs}) > 1}


def config_diff(runs: list[Run]) -> dbc.Table:
    """Settings as rows, runs as columns; a row where the runs differ is highlighted."""
    different = differing_fields(runs)
    shown = [field for field in CONFIG_LABELS if any(setting(run, field) is not None for run in runs)]
    header = html.Thead(html.Tr([html.Th("Setting"), *[
        html.Th([html.A(f"#{run.id}", href=run_href(run.id)), " ", status_badge(run.status)]) for run in runs]]))
    body = []
    for field in shown:
        cells = [html.Td(shown_setting(field, setting(run, field))) for run in runs]
        is_different = field in different
        label = [CONFIG_LABELS[field], html.I(className="bi bi-asterisk ms-1", title="differs")] if is_different \
            else CONFIG_LABELS[field]
        body.append(html.Tr([html.Th(label), *cells], className="train-diff" if is_different else None,
                            **{"data-differs": "true" if is_different else "false"}))
    return dbc.Table([header, html.Tbody(body)], size="sm", hover=True, className="train-compare-table")


def artifacts_side_by_side(runs: list[Run], store) -> list:
    """For each picture any run has, one row with that picture from every run (or a note where it has none)."""
    settings = get_workbench().settings
    names_by_run = {run.id: store.artifacts(run.id) for run in runs}
    images = list(dict.fromkeys(name for names in names_by_run.values() for name in names if name.endswith(".png")))
    if not images:
        waiting = any(run.is_active for run in runs)
        return [html.P(f"None of these runs has pictures{' yet' if waiting else ''} (only finished runs write them).",
                       className="train-empty")]
    sections = [html.H2([html.I(className="bi bi-images me-2"), "Pictures side by side"], className="train-card-title")]
    width = max(3, 12 // len(runs))
    for name in images:
        cells = []
        for run in runs:
            if name in names_by_run[run.id]:
                cell = image_card(artifact_path(settings, run.id, name), name)
                cell.children[0].children[0] = html.Span([html.A(f"#{run.id}", href=run_href(run.id)), " ",
                                                          ARTIFACT_TITLES.get(name, name)])
            else:
                cell = html.Div(f"#{run.id} has no {ARTIFACT_TITLES.get(name, name).lower()}", className="train-empty")
            cells.append(dbc.Col(cell, xs=12, md=width))
        sections.append(html.Div([html.H3(ARTIFACT_TITLES.get(name, name), className="train-subtitle"),
                                  dbc.Row(cells, className="g-3")], className="train-compare-row"))
    return sections
