"""The New run form: fields that fit the data set, inline checks as the user types, table pickers, and Start.

Start validates, writes a queued run to the store and launches its job from the server in the same
request (dash_app/runs/launch.py), so the run never depends on this page staying open.
"""

from __future__ import annotations

from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, html, no_update

from dash_app import ids
from dash_app.components import alert
from dash_app.auth import current_user_name
from dash_app.jobs.config import ConfigError, parse_config, problems_of
from dash_app.pages.training_parts import run_href
from dash_app.runs.launch import LaunchError
from dash_app.runs.schema import FAILED, QUEUED
from dash_app.runs.sources import SourceError, column_choices, table_names
from dash_app.workbench import get_workbench

COMMON_NUMBERS = ("epochs", "batch_size", "learning_rate", "hidden_size", "val_split", "seed")
NUMBERS_BY_DATASET = {
    "digits": COMMON_NUMBERS,
    "spirals": (*COMMON_NUMBERS, "spiral_points", "spiral_noise"),
    "table": (*COMMON_NUMBERS, "max_rows"),
}
CHOICES_BY_DATASET = {
    "digits": ("dataset", "model", "optimizer"),
    "spirals": ("dataset", "model", "optimizer", "spiral_classes"),
    "table": ("dataset", "model", "optimizer", "database", "table", "features", "target", "task"),
}


def form_values(numbers: dict[str, Any], choices: dict[str, Any]) -> dict[str, Any]:
    """The config values that matter for the chosen data set, from the form's fields by name."""
    dataset = choices.get("dataset") or "digits"
    values = {name: numbers.get(name) for name in NUMBERS_BY_DATASET.get(dataset, COMMON_NUMBERS)}
    values |= {name: choices.get(name) for name in CHOICES_BY_DATASET.get(dataset, ())}
    if "spiral_classes" in values and str(values["spiral_classes"]).isdigit():
        values["spiral_classes"] = int(values["spiral_classes"])
    if "features" in values:
        values["features"] = list(values["features"] or [])
    return values


def _by_field(states: list[dict]) -> dict[str, Any]:
    return {item["id"]["field"]: item.get("value") for item in states}


def register(app: Dash) -> None:
    """Register the form's callbacks."""
    app.callback(
        Output(ids.TRAIN_SPIRALS_FIELDS, "hidden"),
        Output(ids.TRAIN_TABLE_FIELDS, "hidden"),
        Output(ids.train_choice("model"), "value"),
        Input(ids.train_choice("dataset"), "value"),
        State(ids.train_choice("model"), "value"),
    )(show_fields_for_dataset)
    app.callback(
        Output(ids.train_field(ALL), "invalid"),
        Output(ids.train_field_feedback(ALL), "children"),
        Input(ids.train_field(ALL), "value"),
        Input(ids.train_choice(ALL), "value"),
    )(check_numbers)
    app.callback(
        Output(ids.train_choice("table"), "options"),
        Output(ids.train_choice("table"), "value"),
        Output(ids.train_choice_feedback("database"), "children", allow_duplicate=True),
        Input(ids.train_choice("database"), "value"),
        prevent_initial_call=True,
    )(list_tables)
    app.callback(
        Output(ids.train_choice("features"), "options"),
        Output(ids.train_choice("features"), "value"),
        Output(ids.train_choice("target"), "options"),
        Output(ids.train_choice("target"), "value"),
        Output(ids.train_choice_feedback("table"), "children", allow_duplicate=True),
        Input(ids.train_choice("table"), "value"),
        State(ids.train_choice("database"), "value"),
        prevent_initial_call=True,
    )(list_columns)
    app.callback(
        Output(ids.TRAIN_START_ALERT, "children"),
        Output(ids.TRAIN_REFRESH, "data"),
        Output(ids.train_choice_feedback(ALL), "children"),
        Input(ids.TRAIN_START, "n_clicks"),
        State(ids.train_field(ALL), "value"),
        State(ids.train_choice(ALL), "value"),
        State(ids.train_choice_feedback(ALL), "id"),
        State(ids.TRAIN_REFRESH, "data"),
        prevent_initial_call=True,
    )(start_run)


def show_fields_for_dataset(dataset: str, model: str):
    """Show the spirals or table fields; the CNN only fits digits, so other data sets fall back to the MLP."""
    model = model if dataset == "digits" else "mlp"
    return dataset != "spirals", dataset != "table", model


def check_numbers(_numbers, _choices):
    """Mark each out-of-range number as the user types, with the message under it."""
    numbers = _by_field(ctx.inputs_list[0])
    choices = _by_field(ctx.inputs_list[1])
    problems = problems_of(form_values(numbers, choices))
    names = [item["id"]["field"] for item in ctx.inputs_list[0]]
    return [name in problems for name in names], [problems.get(name, "") for name in names]


def list_tables(database: str | None):
    if not database:
        return [], None, ""
    url = get_workbench().settings.databases.get(database)
    if url is None:
        return [], None, "Not a configured database."
    try:
        return table_names(url), None, ""
    except SourceError as error:
        return [], None, str(error)


def list_columns(table: str | None, database: str | None):
    """Numeric columns become the feature choices; every column may be the target."""
    url = get_workbench().settings.databases.get(database or "")
    if not table or url is None:
        return [], [], [], None, ""
    try:
        numeric, every = column_choices(url, table)
    except SourceError as error:
        return [], [], [], None, str(error)
    note = "" if numeric else f"The table {table!r} has no numeric columns to learn from: choose another table."
    return numeric, [], every, None, note


def start_run(_clicks, _numbers, _choices, feedback_ids, refresh):
    """Validate the form; if it is right, queue a run and launch its job from the server."""
    numbers = _by_field(ctx.states_list[0])
    choices = _by_field(ctx.states_list[1])
    values = form_values(numbers, choices)
    fields = [item["field"] for item in feedback_ids]
    try:
        config = parse_config(values)
    except ConfigError as error:
        message = alert("Nothing started: fix the fields marked in red.", color="warning")
        return message, no_update, [error.problems.get(name, "") for name in fields]
    settings = get_workbench().settings
    store = get_workbench().runs
    run_id = store.create_run(config.to_json(), config.summary(), user=current_user_name(),
                              backend=settings.background)
    try:
        get_workbench().launcher.launch(run_id)
    except LaunchError as error:
        store.finish(run_id, FAILED, error=f"Not started: {error}.", from_statuses=(QUEUED,))
        failed = alert([f"Run #{run_id} could not be started: {error}. Try again in a moment; ",
                        html.A("its page", href=run_href(run_id)), " keeps the reason."])
        return failed, (refresh or 0) + 1, ["" for _ in fields]
    started = alert([f"Run #{run_id} queued: ", html.A("open its page", href=run_href(run_id))],
                    color="success", icon="bi-check-circle")
    return started, (refresh or 0) + 1, ["" for _ in fields]
