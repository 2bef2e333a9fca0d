"""Compose's "From the app" dialog: a finished run's picture or a chart of a Data table as a layer, and its refresh.

The dialog's own callbacks only fill its choices (the runs the user may view, the databases, tables and
columns the Data page browses). Adding a layer and refreshing one change the scene, so they are edits of
the page's one callback (callbacks/compose.py), chosen here: :func:`on_button`. The drawing is done by
dash_app/compose/sources.py, the placing by dash_app/compose/edit.py.
"""

from __future__ import annotations

import time
from typing import Any

from dash import Dash, Input, Output, State, ctx, no_update

from dash_app import ids
from dash_app.callbacks.compose_actions import Outcome
from dash_app.callbacks.compose_views import Selection, single
from dash_app.callbacks.wiring import outputs
from dash_app.components import alert
from dash_app.components.training import ARTIFACT_TITLES
from dash_app.compose import edit, intake
from dash_app.compose.scene import (
    DataChartSource,
    Layer,
    RunArtifactSource,
    Scene,
    SceneError,
    source_from_dict,
)
from dash_app.compose.sources import Sources, chart_title
from dash_app.compose.storage import ComposeStorage
from dash_app.data.limits import QueryTimeout
from dash_app.data.query import QueryError
from dash_app.data.service import DataError
from dash_app.workbench import get_workbench

BUTTONS = {ids.COMPOSE_ADD_ARTIFACT: "artifact", ids.COMPOSE_ADD_CHART: "chart", ids.COMPOSE_REFRESH: "refresh"}
FORM = {ids.COMPOSE_SOURCE_RUN: "source_run", ids.COMPOSE_SOURCE_PICTURE: "source_picture",
        ids.COMPOSE_CHART_DB: "chart_database", ids.COMPOSE_CHART_TABLE: "chart_table", ids.COMPOSE_CHART_X: "chart_x",
        ids.COMPOSE_CHART_BUCKET: "chart_bucket", ids.COMPOSE_CHART_AGG: "chart_aggregate",
        ids.COMPOSE_CHART_Y: "chart_y"}
DATA_ERRORS = (QueryError, DataError, QueryTimeout)
RUN_CHOICES = {"runs": (ids.COMPOSE_SOURCE_RUN, "options"), "run": (ids.COMPOSE_SOURCE_RUN, "value"),
               "run_note": (ids.COMPOSE_SOURCE_RUN_NOTE, "children"), "no_runs": (ids.COMPOSE_ADD_ARTIFACT, "disabled"),
               "databases": (ids.COMPOSE_CHART_DB, "options"), "database": (ids.COMPOSE_CHART_DB, "value")}
PICTURE_CHOICES = {"pictures": (ids.COMPOSE_SOURCE_PICTURE, "options"),
                   "picture": (ids.COMPOSE_SOURCE_PICTURE, "value")}
TABLE_CHOICES = {"tables": (ids.COMPOSE_CHART_TABLE, "options"), "table": (ids.COMPOSE_CHART_TABLE, "value"),
                 "note": (ids.COMPOSE_CHART_NOTE, "children")}
COLUMN_CHOICES = {"x_options": (ids.COMPOSE_CHART_X, "options"), "x": (ids.COMPOSE_CHART_X, "value"),
                  "y_options": (ids.COMPOSE_CHART_Y, "options"), "y": (ids.COMPOSE_CHART_Y, "value"),
                  "y_disabled": (ids.COMPOSE_CHART_Y, "disabled")}


def register(app: Dash) -> None:
    """Register the dialog's callbacks (opening it, and filling its choices step by step)."""
    app.callback(output={"open": Output(ids.COMPOSE_SOURCE_DIALOG, "is_open")},
                 inputs={"opened": Input(ids.COMPOSE_ADD_SOURCE, "n_clicks"),
                         "closed": Input(ids.COMPOSE_SOURCE_CLOSE, "n_clicks"),
                         "added": [Input(ids.COMPOSE_ADD_ARTIFACT, "n_clicks"),
                                   Input(ids.COMPOSE_ADD_CHART, "n_clicks")]},
                 prevent_initial_call=True)(_toggle_dialog)
    app.callback(output=outputs(RUN_CHOICES), inputs={"is_open": Input(ids.COMPOSE_SOURCE_DIALOG, "is_open")},
                 state={"run": State(ids.COMPOSE_SOURCE_RUN, "value"),
                        "database": State(ids.COMPOSE_CHART_DB, "value")},
                 prevent_initial_call=True)(dialog_choices)
    app.callback(output=outputs(PICTURE_CHOICES), inputs={"run": Input(ids.COMPOSE_SOURCE_RUN, "value")},
                 state={"picture": State(ids.COMPOSE_SOURCE_PICTURE, "value")}, prevent_initial_call=True)(run_pictures)
    app.callback(output=outputs(TABLE_CHOICES), inputs={"database": Input(ids.COMPOSE_CHART_DB, "value")},
                 state={"table": State(ids.COMPOSE_CHART_TABLE, "value")}, prevent_initial_call=True)(database_tables)
    app.callback(output=outputs(COLUMN_CHOICES),
                 inputs={"table": Input(ids.COMPOSE_CHART_TABLE, "value"),
                         "aggregate": Input(ids.COMPOSE_CHART_AGG, "value")},
                 state={"database": State(ids.COMPOSE_CHART_DB, "value"), "x": State(ids.COMPOSE_CHART_X, "value"),
                        "y": State(ids.COMPOSE_CHART_Y, "value")},
                 prevent_initial_call=True)(table_columns)


def _toggle_dialog(opened, closed, added) -> dict:
    return {"open": toggle_dialog(ctx.triggered_id)}


def toggle_dialog(trigger) -> bool:
    """The dialog opens with its button and closes with Close or once a layer is added."""
    return trigger == ids.COMPOSE_ADD_SOURCE


def _options(values: list[tuple[Any, str]]) -> list[dict]:
    return [{"label": label, "value": str(value)} for value, label in values]


def _kept(value: Any, options: list[dict]) -> Any:
    """``value`` when it is still one of ``options``, else the first option's (None when there is none)."""
    values = [option["value"] for option in options]
    return value if value in values else (values[0] if values else None)


def dialog_choices(is_open, run, database) -> dict:
    """The runs the user may view that left pictures (newest first), and the databases, when the dialog opens."""
    if not is_open:
        return {name: no_update for name in RUN_CHOICES}
    sources = get_workbench().sources
    runs = _options([(item.run.id, _run_label(item.run)) for item in sources.finished_runs()])
    databases = _options([(name, name) for name in sources.databases()])
    note = "" if runs else "No finished Training run you may view has pictures yet."
    return {"runs": runs, "run": _kept(run, runs), "run_note": note, "no_runs": not runs, "databases": databases,
            "database": _kept(database, databases)}


def _run_label(run) -> str:
    finished = time.strftime("%Y-%m-%d %H:%M", time.localtime(run.finished_at)) if run.finished_at else ""
    return " · ".join(part for part in (f"#{run.id}", run.summary, finished) if part)


def run_pictures(run, picture) -> dict:
    """The pictures of the chosen run (curves, confusion matrix, predictions...)."""
    run_id = _run_id(run)
    names = get_workbench().sources.run_pictures(run_id) if run_id else ()
    pictures = _options([(name, ARTIFACT_TITLES.get(name, name)) for name in names])
    return {"pictures": pictures, "picture": _kept(picture, pictures)}


def _run_id(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 16 else None


def database_tables(database, table) -> dict:
    """The tables and views of the chosen database (what the Data page lists)."""
    try:
        names = get_workbench().sources.table_names(database)
    except DATA_ERRORS as error:
        return {"tables": [], "table": None, "note": alert(str(error), "warning", dismissable=False)}
    tables = _options([(name, name) for name in names])
    return {"tables": tables, "table": _kept(table, tables), "note": ""}


def table_columns(table, aggregate, database, x, y) -> dict:
    """The chosen table's columns to group by (any that orders) and to aggregate (numbers: a chart plots them)."""
    try:
        columns = get_workbench().data.table(database, table).columns if database and table else []
    except DATA_ERRORS:
        columns = []
    groups = _options([(column.name, column.name) for column in columns if column.orderable])
    measures = _options([(column.name, column.name) for column in columns if column.kind == "number"])
    dates = [option["value"] for option in groups if _is_date(columns, option["value"])]
    return {"x_options": groups, "x": x if x in [g["value"] for g in groups] else _first(dates, groups),
            "y_options": measures, "y": _kept(y, measures), "y_disabled": aggregate in (None, "count")}


def _is_date(columns, name: str) -> bool:
    return any(column.name == name and column.kind in ("date", "datetime") for column in columns)


def _first(dates: list[str], groups: list[dict]) -> str | None:
    """A date column first (a chart over time), like the Data page's Chart tab."""
    return dates[0] if dates else (groups[0]["value"] if groups else None)


# The edits the main callback (callbacks/compose.py) dispatches here -----------------------------------------


def on_button(trigger: str, form: dict, scene: Scene, selected: Selection, compose: ComposeStorage,
              sources: Sources) -> Outcome:
    """Add the dialog's run picture or chart as a layer, or refresh the selected layer from its source."""
    action = BUTTONS[trigger]
    if action == "refresh":
        return refresh(scene, selected, compose, sources)
    source = artifact_source(form) if action == "artifact" else chart_source(form)
    picture = _draw(source, edit.chart_box(scene), sources)
    stored = _store(compose, picture)
    scene, layer_id = edit.add_image(scene, stored.id, (stored.width, stored.height), source_name(source),
                                     source=source.model_dump())
    return Outcome(scene, layer_id)


def artifact_source(form: dict) -> RunArtifactSource:
    run_id, name = _run_id(form.get("source_run")), form.get("source_picture")
    if run_id is None or not name:
        msg = "choose a finished run and one of its pictures first"
        raise SceneError(msg)
    return source_from_dict({"kind": "run_artifact", "run_id": run_id, "name": name})


def chart_source(form: dict) -> DataChartSource:
    values = {name: form.get(f"chart_{name}") for name in ("database", "table", "x", "aggregate", "y", "bucket")}
    if not values["database"] or not values["table"] or not values["x"]:
        msg = "choose a database, a table and a column to group by first"
        raise SceneError(msg)
    aggregate = values["aggregate"] or "count"
    return source_from_dict({"kind": "data_chart", **values, "aggregate": aggregate,
                             "y": None if aggregate == "count" else values["y"],
                             "bucket": None if values["bucket"] in (None, "", "none") else values["bucket"]})


def source_name(source: RunArtifactSource | DataChartSource) -> str:
    """The new layer's name: what it shows and where from."""
    if isinstance(source, RunArtifactSource):
        return f"{ARTIFACT_TITLES.get(source.name, source.name)} · run #{source.run_id}"[:120]
    return chart_title(source)[:120]


def describe(source: RunArtifactSource | DataChartSource) -> str:
    """The source as the layer panel shows it."""
    if isinstance(source, RunArtifactSource):
        return f"{ARTIFACT_TITLES.get(source.name, source.name)} of Training run #{source.run_id}"
    return f"Chart of {source.database} › {source.table}: {chart_title(source)}"


def _draw(source, size: tuple[float, float], sources: Sources):
    if isinstance(source, RunArtifactSource):
        return sources.artifact(source)
    return sources.chart(source, size)


def _store(compose: ComposeStorage, picture) -> intake.StoredImage:
    try:
        return compose.store_picture(picture)
    except intake.ImageRejected as error:
        raise SceneError(str(error)) from None


def refresh(scene: Scene, selected: Selection, compose: ComposeStorage, sources: Sources) -> Outcome:
    """Draw the selected layer again from its source, in the same place at the layer's current size (one undo step).

    A chart is drawn at the size the layer shows it, so it is sharp again after being enlarged.
    """
    layer = scene.layer(single(selected)) if single(selected) else None
    if layer is None:
        msg = "select a layer first"
        raise SceneError(msg)
    if not isinstance(layer, Layer) or layer.source is None:
        msg = "this layer was not made from the app's data: there is nothing to refresh it from"
        raise SceneError(msg)
    old_size = compose.image_size(layer.image_id)
    picture = _draw(layer.source, (old_size[0] * layer.scale, old_size[1] * layer.scale), sources)
    stored = _store(compose, picture)
    refreshed = edit.replace_image(scene, layer.id, stored.id, old_size, (stored.width, stored.height))
    return Outcome(refreshed, layer.id, ("success", f"Refreshed “{edit.label(layer)}” from {describe(layer.source)}."))


def source_values(scene: Scene, selected: Selection) -> dict:
    """The selected layer's source in the panel (hidden for a layer that has none, and while several are selected)."""
    layer = scene.layer(single(selected)) if single(selected) else None
    source = layer.source if isinstance(layer, Layer) else None
    return {"source_hidden": source is None, "source_text": describe(source) if source else ""}


