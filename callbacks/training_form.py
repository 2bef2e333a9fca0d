"""The New run form: fields that fit the data set, inline checks as the user types, table pickers, and Start.

Which fields and models belong to which data set is written once, in jobs/config.py (``DATASET_RULES``);
this module only shows and reads the form by it. Tables and columns come from the app's Data service
(dash_app/data/service.py: its engines and cached schema), so a column numeric on the Data page is a
feature here, and the job accepts exactly these columns (jobs/tables.py reads them with the same catalog).

Start validates, writes a queued run to the store and launches its job from the server in the same
request (dash_app/runs/launch.py), so the run never depends on this page staying open.
"""

from __future__ import annotations

from typing import Any

from dash import ALL, MATCH, Dash, Input, Output, State, html, no_update

from dash_app import ids
from dash_app.auth import current_identity
from dash_app.components import alert
from dash_app.callbacks.training_support import STORE_ERRORS, store_unavailable
from dash_app.components.training import CONFIG_LABELS, run_href
from dash_app.data.access import NotAvailable
from dash_app.data.engines import DatabaseUnavailable
from dash_app.data.limits import QueryTimeout
from dash_app.data.query import QueryError
from dash_app.data.service import DataError
from dash_app.jobs.config import (
    DATASET_RULES, MODELS, RANGES, ConfigError, TrainConfig, dataset_fields, model_for, parse_config,
)
from dash_app.runs.launch import hand_over
from dash_app.runs.store import TooManyRuns
from dash_app.workbench import get_workbench

# Errors of the Data service whose message is written for the user.
SCHEMA_ERRORS = (QueryError, QueryTimeout, DataError, DatabaseUnavailable)
# Each subform holds the own fields of one data set, and shows when the chosen data set uses them.
SUBFORMS = {"spirals_hidden": (ids.TRAIN_SPIRALS_FIELDS, "spirals"), "table_hidden": (ids.TRAIN_TABLE_FIELDS, "table")}


def register(app: Dash) -> None:
    """Register the form's callbacks."""
    app.callback(
        output={**{name: Output(target, "hidden") for name, (target, _) in SUBFORMS.items()},
                "model": Output(ids.train_choice("model"), "value")},
        inputs={"dataset": Input(ids.train_choice("dataset"), "value")},
        state={"model": State(ids.train_choice("model"), "value")},
    )(show_fields_for_dataset)
    app.callback(  # one request per field typed in: an answer for one field never lands on another's
        output={"invalid": Output(ids.train_field(MATCH), "invalid"),
                "message": Output(ids.train_field_feedback(MATCH), "children")},
        inputs={"value": Input(ids.train_field(MATCH), "value")},
        state={"field_id": State(ids.train_field(MATCH), "id")},
        prevent_initial_call=True,  # the page opens with the defaults, which are in range
    )(check_number)
    app.callback(
        output={"options": Output(ids.train_choice("table"), "options"),
                "value": Output(ids.train_choice("table"), "value"),
                "note": Output(ids.train_choice_feedback("database"), "children", allow_duplicate=True)},
        inputs={"database": Input(ids.train_choice("database"), "value")},
        prevent_initial_call=True,
    )(list_tables)
    app.callback(
        output={"features": Output(ids.train_choice("features"), "options"),
                "chosen": Output(ids.train_choice("features"), "value"),
                "targets": Output(ids.train_choice("target"), "options"),
                "target": Output(ids.train_choice("target"), "value"),
                "note": Output(ids.train_choice_feedback("table"), "children", allow_duplicate=True)},
        inputs={"table": Input(ids.train_choice("table"), "value")},
        state={"database": State(ids.train_choice("database"), "value")},
        prevent_initial_call=True,
    )(list_columns)
    app.callback(
        output={"message": Output(ids.TRAIN_START_ALERT, "children"), "refresh": Output(ids.TRAIN_REFRESH, "data"),
                "feedback": Output(ids.train_choice_feedback(ALL), "children")},
        inputs={"clicks": Input(ids.TRAIN_START, "n_clicks")},
        state={"numbers": State(ids.train_field(ALL), "value"), "number_ids": State(ids.train_field(ALL), "id"),
               "choices": State(ids.train_choice(ALL), "value"), "choice_ids": State(ids.train_choice(ALL), "id"),
               "feedback_ids": State(ids.train_choice_feedback(ALL), "id"),
               "refresh": State(ids.TRAIN_REFRESH, "data")},
        prevent_initial_call=True,
    )(start_run)


def form_values(numbers: dict[str, Any], choices: dict[str, Any]) -> dict[str, Any]:
    """The config values that matter for the chosen data set, from the form's fields by name.

    Values are passed on as sent, for jobs/config.py to check and refuse: only the two forms the page itself
    sends are read (the spiral classes' select sends "2" or "3"; an empty features dropdown sends None). A
    missing or unknown data set stays what it is (refused there), never the default one.
    """
    dataset = choices.get("dataset")
    values = {name: (numbers if name in RANGES else choices).get(name) for name in dataset_fields(dataset)}
    classes = values.get("spiral_classes")
    if isinstance(classes, str) and classes in ("2", "3"):
        values["spiral_classes"] = int(classes)
    if "features" in values and values["features"] is None:
        values["features"] = []
    return values


def _by_field(field_ids: list, values: list) -> dict[str, Any]:
    """The values of pattern-matching fields by their field name (Dash sends ids and values in one order); an id
    that is not one the page made is left out."""
    pairs = zip(field_ids if isinstance(field_ids, list) else [], values if isinstance(values, list) else [])
    return {_field(item): value for item, value in pairs if _field(item)}


def _field(item: object) -> str | None:
    """The field name of a pattern-matching id (``{"type": ..., "field": name}``), None for anything else."""
    name = item.get("field") if isinstance(item, dict) else None
    return name if isinstance(name, str) else None


def show_fields_for_dataset(dataset: str, model: str) -> dict:
    """Show the fields of the chosen data set; a model that does not fit it falls back to one that does."""
    used = set(dataset_fields(dataset))
    hidden = {name: not used.issuperset(DATASET_RULES[owner].fields) for name, (_, owner) in SUBFORMS.items()}
    chosen = model_for(dataset, model)
    return {**hidden, "model": chosen if chosen in MODELS else no_update}  # never a value no option has


def check_number(value: Any, field_id: object) -> dict:
    """Mark a number out of its field's range as the user types it, with the message under it.

    Each field answers for itself (a pattern-matching callback per field): two fields typed one after the
    other are two requests, and with several web workers the first one's answer may arrive last. Start checks
    the whole form again (``start_run``), the fields the chosen data set uses only."""
    rule = RANGES.get(_field(field_id) or "")
    problem = rule.problem(value) if rule else None
    return {"invalid": bool(problem), "message": problem or ""}


def list_tables(database: str | None) -> dict:
    """The tables and views of the chosen database that the user may train on, from the Data service's schema."""
    if not database:
        return {"options": [], "value": None, "note": ""}
    data = get_workbench().data
    if database not in data.databases_for("train"):
        return {"options": [], "value": None, "note": "Not a configured database."}
    try:
        return {"options": data.table_names(database, "train"), "value": None, "note": ""}
    except SCHEMA_ERRORS as error:
        return {"options": [], "value": None, "note": str(error)}


def list_columns(table: str | None, database: str | None) -> dict:
    """Numeric columns (as the Data page's catalog says) become the feature choices; every column may be the target."""
    empty = {"features": [], "chosen": [], "targets": [], "target": None, "note": ""}
    data = get_workbench().data
    if not table or database not in data.databases_for("train"):
        return empty
    try:
        data.require(database, table, "train")
        columns = data.table(database, table).columns
    except SCHEMA_ERRORS as error:
        return empty | {"note": str(error)}
    numeric = [column.name for column in columns if column.numeric]
    note = "" if numeric else f"The table {table!r} has no numeric columns to learn from: choose another table."
    return empty | {"features": numeric, "targets": [column.name for column in columns], "note": note}


def start_run(clicks, numbers: list, number_ids: list[dict], choices: list, choice_ids: list[dict],
              feedback_ids: list[dict], refresh) -> dict:
    """Validate the form; if it is right, queue a run and launch its job from the server."""
    values = form_values(_by_field(number_ids, numbers), _by_field(choice_ids, choices))
    fields = [_field(item) for item in feedback_ids or []]
    try:
        config = parse_config(values)
        _check_table_source(config)
    except ConfigError as error:
        # the number fields (RANGES) mark themselves as they are typed (check_number), the choices here
        return {"message": _refusal(error, [*fields, *RANGES]), "refresh": no_update,
                "feedback": [error.problems.get(name, "") for name in fields]}
    return {"message": _queue_and_launch(config), "refresh": (refresh or 0) + 1, "feedback": ["" for _ in fields]}


def _refusal(error: ConfigError, shown: list) -> object:
    """Why nothing started: the fields marked in red, and in words what no field of the form shows (a value
    the page's own controls cannot send)."""
    unshown = [f"{CONFIG_LABELS.get(name, name)}: {text}" for name, text in error.problems.items() if name not in shown]
    return alert(["Nothing started: fix the fields marked in red.", *[html.Div(line) for line in unshown[:6]]],
                 color="warning")


def _check_table_source(config: TrainConfig) -> None:
    """A Table run only on a table the user may train on (dash_app/data/access.py), from its numeric columns to one
    of its columns; ConfigError says where not."""
    if config.dataset != "table":
        return
    data = get_workbench().data
    try:
        data.require(config.database, config.table, "train")
        columns = {column.name: column for column in data.table(config.database, config.table).columns}
    except NotAvailable as error:
        field = "table" if data.may(config.database, None, "train") else "database"
        raise ConfigError({field: str(error)}) from None
    except SCHEMA_ERRORS as error:
        raise ConfigError({"table": str(error)}) from None
    problems = {}
    unusable = [name for name in config.features if name not in columns or not columns[name].numeric]
    if unusable:
        problems["features"] = f"Not numeric columns of {config.table!r}: {', '.join(map(repr, unusable[:5]))}."[:300]
    if config.target not in columns:
        problems["target"] = f"There is no column {config.target[:60]!r} in {config.table!r}."
    elif config.task == "regression" and not columns[config.target].numeric:
        problems["target"] = (f"{config.target[:60]!r} is not numeric: a regression predicts a number. Choose "
                              "Classify, or a numeric column.")
    if problems:
        raise ConfigError(problems)


def _queue_and_launch(config: TrainConfig):
    """Write the run to the store and hand it to the launcher; the alert says which run it is, or why it failed."""
    workbench = get_workbench()
    starter = current_identity()  # the run is theirs: filed under their stable id, labelled with their name
    try:
        store = workbench.runs
        run_id = store.create_run(config.to_json(), config.summary(), user=starter.name, owner=starter.id,
                                  backend=workbench.settings.background,
                                  max_active=workbench.settings.max_active_runs_per_user)
    except TooManyRuns as error:
        return alert(f"Nothing started: {error}.", color="warning")
    except STORE_ERRORS as error:
        return store_unavailable(error)
    handed = hand_over(store, workbench.launcher, run_id)
    if handed.failed is not None:
        return alert([f"Run #{run_id} could not be started: {handed.failed}. Try again in a moment; ",
                      html.A("its page", href=run_href(run_id)), " keeps the reason."])
    if handed.waiting:
        return alert([f"Run #{run_id} queued, but the job queue does not answer right now: the run starts once it "
                      "does. ", html.A("Open its page", href=run_href(run_id))], color="warning")
    if handed.unattended:
        return alert([f"Run #{run_id} queued, but no training worker is running: the run starts once one is. ",
                      html.A("Open its page", href=run_href(run_id))], color="warning")
    return alert([f"Run #{run_id} queued: ", html.A("open its page", href=run_href(run_id))],
                 color="success", icon="bi-check-circle")
