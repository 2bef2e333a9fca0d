"""Training: choose data and settings, start a run, follow every active run live, browse and compare history."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app import ids
from dash_app.components import AG_GRID_CHUNK, page_header
from dash_app.components.training import CONFIG_LABELS, POLL_ACTIVE_MS, choice_options, curves_graph
from dash_app.jobs.config import COMMON_FIELDS, RANGES, TrainConfig
from dash_app.workbench import get_workbench

PAGE = {
    "path": "/training",
    "name": "Training",
    "title": "Training",
    "order": 2,
    "icon": "bi-activity",
    "nav": True,
    "job": "Train PyTorch models from the page, watch live progress, cancel, and compare runs.",
    "description": "Train models and follow them live.",
    "preload": (AG_GRID_CHUNK,),
}
DEFAULTS = TrainConfig()
NUMBER_HELP = {
    "epochs": "Passes over the training data.",
    "batch_size": "Samples per optimisation step.",
    "learning_rate": "Step size of the optimizer.",
    "hidden_size": "Units per hidden layer.",
    "val_split": "Share held out to validate.",
    "seed": "Same seed, same result on the CPU.",
    "spiral_points": "Points per arm.",
    "spiral_noise": "Angular noise of the arms.",
    "max_rows": "Rows read at most.",
}


def layout(**_query: str) -> html.Div:
    """Return the Training page."""
    return html.Div(
        [
            page_header("Training", PAGE["description"], PAGE["icon"]),
            dcc.Interval(id=ids.TRAIN_POLL, interval=POLL_ACTIVE_MS),
            dcc.Store(id=ids.TRAIN_REFRESH, data=0),
            dcc.Store(id=ids.TRAIN_RUNS_SIGNATURE),
            dcc.Store(id=ids.TRAIN_CANCEL_REQUEST),
            dbc.Row(
                [
                    dbc.Col(form_card(), lg=5, xl=4),
                    dbc.Col(live_card(), lg=7, xl=8),
                ],
                className="g-4",
            ),
            runs_card(),
        ],
        id=ids.TRAIN_PAGE,
        className="train-page",
    )


def number_field(name: str) -> dbc.Col:
    """A labelled number input with its inline message (filled by the validation callback)."""
    rule = RANGES[name]
    return dbc.Col(
        [
            dbc.Label(CONFIG_LABELS[name], className="train-label"),
            dbc.Input(id=ids.train_field(name), type="number", value=getattr(DEFAULTS, name), step="any",
                      inputMode="numeric" if rule.integer else "decimal", className="train-input",
                      debounce=False),
            dbc.FormFeedback(id=ids.train_field_feedback(name), type="invalid"),
            dbc.FormText(NUMBER_HELP[name], className="train-help"),
        ],
        xs=12, sm=6,
        className="train-field",
    )


def choice_feedback(name: str) -> html.Div:
    return html.Div(id=ids.train_choice_feedback(name), className="train-choice-feedback")


def form_card() -> dbc.Card:
    """Data, model and hyperparameters, with Start."""
    dataset = dcc.RadioItems(
        id=ids.train_choice("dataset"),
        options=[
            {"label": html.Span([html.I(className="bi bi-123"), html.B("Digits"), html.Small("8×8 images")]),
             "value": "digits"},
            {"label": html.Span([html.I(className="bi bi-tornado"), html.B("Spirals"), html.Small("2-D points")]),
             "value": "spirals"},
            {"label": html.Span([html.I(className="bi bi-table"), html.B("Table"), html.Small("from a database")]),
             "value": "table"},
        ],
        value=DEFAULTS.dataset,
        className="train-dataset-choice",
        inputClassName="btn-check",
        labelClassName="train-dataset-option",
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2([html.I(className="bi bi-sliders me-2"), "New run"], className="train-card-title"),
                dbc.Label("What to train", className="train-label"),
                dataset,
                spirals_fields(),
                table_fields(),
                dbc.Row(
                    [
                        dbc.Col([
                            dbc.Label("Model", className="train-label"),
                            dbc.Select(id=ids.train_choice("model"), value=DEFAULTS.model, className="train-input",
                                       options=choice_options("model")),
                            choice_feedback("model"),
                        ], xs=12, sm=6, className="train-field"),
                        dbc.Col([
                            dbc.Label("Optimizer", className="train-label"),
                            dbc.Select(id=ids.train_choice("optimizer"), value=DEFAULTS.optimizer,
                                       className="train-input",
                                       options=choice_options("optimizer")),
                        ], xs=12, sm=6, className="train-field"),
                        *[number_field(name) for name in COMMON_FIELDS if name in RANGES],
                    ],
                    className="g-3 mt-1",
                ),
                html.Div(
                    dbc.Button([html.I(className="bi bi-play-fill me-1"), "Start training"], id=ids.TRAIN_START,
                               color="primary", size="lg", className="train-start"),
                    className="d-grid mt-4",
                ),
                html.Div(id=ids.TRAIN_START_ALERT, className="mt-3", **{"aria-live": "polite"}),
            ]
        ),
        id=ids.TRAIN_FORM,
        className="train-card",
    )


def spirals_fields() -> html.Div:
    return html.Div(
        dbc.Row([
            dbc.Col([
                dbc.Label("Classes", className="train-label"),
                dbc.Select(id=ids.train_choice("spiral_classes"), value=str(DEFAULTS.spiral_classes),
                           options=[{"label": "2 arms", "value": "2"}, {"label": "3 arms", "value": "3"}],
                           className="train-input"),
            ], xs=12, sm=6, className="train-field"),
            number_field("spiral_points"),
            number_field("spiral_noise"),
        ], className="g-3"),
        id=ids.TRAIN_SPIRALS_FIELDS,
        className="train-subform",
        hidden=True,
    )


def table_fields() -> html.Div:
    names = sorted(get_workbench().data.databases_for("train"))  # those the user may train on
    dropdown = {"className": "train-dropdown", "clearable": False}
    return html.Div(
        dbc.Row([
            dbc.Col([dbc.Label("Database", className="train-label"),
                     dcc.Dropdown(id=ids.train_choice("database"), options=names, placeholder="Choose…",
                                  **dropdown),
                     choice_feedback("database")], xs=12, sm=6, className="train-field"),
            dbc.Col([dbc.Label("Table", className="train-label"),
                     dcc.Dropdown(id=ids.train_choice("table"), options=[], placeholder="Choose…", **dropdown),
                     choice_feedback("table")], xs=12, sm=6, className="train-field"),
            dbc.Col([dbc.Label("Feature columns (numeric)", className="train-label"),
                     dcc.Dropdown(id=ids.train_choice("features"), options=[], multi=True,
                                  placeholder="Choose the inputs", className="train-dropdown"),
                     choice_feedback("features")], xs=12, className="train-field"),
            dbc.Col([dbc.Label("Target column", className="train-label"),
                     dcc.Dropdown(id=ids.train_choice("target"), options=[], placeholder="Choose…",
                                  **dropdown),
                     choice_feedback("target")], xs=12, sm=6, className="train-field"),
            dbc.Col([dbc.Label("Task", className="train-label"),
                     dbc.RadioItems(id=ids.train_choice("task"), value=DEFAULTS.task, inline=True,
                                    options=choice_options("task")),
                     choice_feedback("task")], xs=12, sm=6, className="train-field"),
            number_field("max_rows"),
        ], className="g-3"),
        id=ids.TRAIN_TABLE_FIELDS,
        className="train-subform",
        hidden=True,
    )


def live_card() -> dbc.Card:
    """Active runs (queued and running, everyone's) and the live curves of the newest running one."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2([html.I(className="bi bi-broadcast me-2"), "Live"], className="train-card-title"),
                html.Div(id=ids.TRAIN_CANCEL_ALERT, **{"aria-live": "polite"}),
                html.Div(id=ids.TRAIN_ACTIVE, className="train-active-list"),
                html.H3(id=ids.TRAIN_LIVE_TITLE, className="train-live-title"),
                curves_graph(ids.TRAIN_LIVE_GRAPH, 440),
            ]
        ),
        className="train-card h-100",
    )


# The narrow columns' header-row filters are the whole cell wide, without the button that opens the full filter
# (still in the column's menu): beside the button the box was too narrow to read what was typed at 1440 px. The
# button does not move into the header either, where it would cut the column's name.
TYPED_FILTER_ONLY = {"suppressFloatingFilterButton": True, "suppressHeaderFilterButton": True}


def runs_card() -> dbc.Card:
    """Every run in the store, sortable and filterable, with a way to compare the selected ones."""
    columns = [
        {"field": "id", "headerName": "Run", "cellRenderer": "markdown", "width": 90, "minWidth": 80,
         "linkTarget": "_self", **TYPED_FILTER_ONLY,
         "comparator": {"function": "trainRunOrder"},  # by run number (assets/js/training.js)
         "sort": "desc", "filter": "agTextColumnFilter",
         "filterValueGetter": {"function": "'#' + params.data.run_id"}},  # what it shows, not the link's address
        {"field": "status", "width": 120, "minWidth": 110, "cellClass": "train-grid-status",
         "cellClassRules": {f"train-grid-{s}": f"params.value === '{s}'" for s in
                            ("queued", "running", "succeeded", "failed", "cancelled", "interrupted")}},
        {"field": "summary", "headerName": "What", "width": 240, "minWidth": 150},
        {"field": "val_accuracy", "headerName": "Val accuracy", "width": 125, "minWidth": 120,
         "filter": "agNumberColumnFilter",
         "valueFormatter": {"function": "params.value == null ? '' : d3.format('.1%')(params.value)"},
         # filtered on the percent the column shows, as shown: "at least 96.9" keeps the run shown 96.9%
         "filterValueGetter": {"function": "params.data.val_accuracy == null ? null : "
                                           "Number(d3.format('.1f')(params.data.val_accuracy * 100))"},
         "filterParams": {"defaultOption": "greaterThanOrEqual"}},  # typed in the header row: "at least"
        {"field": "val_loss", "headerName": "Val loss", "width": 110, "minWidth": 100,
         "filter": "agNumberColumnFilter",
         "valueFormatter": {"function": "params.value == null ? '' : d3.format('.4f')(params.value)"},
         "filterValueGetter": {"function": "params.data.val_loss == null ? null : "
                                           "Number(d3.format('.4f')(params.data.val_loss))"}},  # as shown
        {"field": "epochs", "width": 95, "minWidth": 90, "filter": "agNumberColumnFilter", **TYPED_FILTER_ONLY},
        {"field": "user", "width": 110, "minWidth": 85, **TYPED_FILTER_ONLY},
        {"field": "device", "width": 90, "minWidth": 85, **TYPED_FILTER_ONLY},
        {"field": "created", "headerName": "Created", "width": 180, "minWidth": 170, "filter": "agTextColumnFilter",
         "cellDataType": "text"},
        {"field": "duration", "headerName": "Took", "width": 90, "minWidth": 80, **TYPED_FILTER_ONLY,
         "comparator": {"function": "trainTookOrder"}},  # by seconds, not by the text (assets/js/training.js)
        {"field": "error", "width": 240, "minWidth": 120, "tooltipField": "error", "cellClass": "train-grid-error"},
    ]
    grid = dag.AgGrid(
        id=ids.TRAIN_RUNS_GRID,
        columnDefs=columns,
        rowData=[],
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "floatingFilter": True},
        # Widths follow the window down to each column's least, where its header and values still show whole
        # (all of them at 1440 px); below that the grid scrolls sideways in its frame.
        columnSize="responsiveSizeToFit",
        columnSizeOptions={"columnLimits": [{"key": column["field"], "minWidth": column["minWidth"]}
                                            for column in columns]},
        getRowId="params.data.id_value",
        dashGridOptions={"rowSelection": {"mode": "multiRow", "checkboxes": True, "headerCheckbox": True,
                                          "selectAll": "filtered"},  # the header box ticks the runs shown
                         "animateRows": False, "tooltipShowDelay": 300,
                         "localeText": {"noRowsToShow": "No runs yet: start one above."}},
        className="ag-theme-quartz train-grid",
        style={"height": "420px"},
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.H2([html.I(className="bi bi-clock-history me-2"), "Run history"],
                                className="train-card-title mb-0"),
                        dbc.Button([html.I(className="bi bi-layout-split me-1"), "Compare selected"],
                                   id=ids.TRAIN_COMPARE_LINK, href=dash.get_relative_path("/training/compare"),
                                   color="secondary", outline=True, disabled=True, className="train-compare-button"),
                    ],
                    className="train-history-header",
                ),
                html.P("Select two or more runs to compare their curves, settings and pictures.",
                       className="train-help mb-2"),
                grid,
            ]
        ),
        className="train-card mt-4",
    )
