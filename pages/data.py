"""Data: browse any configured SQL database in a fast grid, with filters, export, charts and opt-in editing."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app import ids
from dash_app.components import AG_GRID_CHUNK, page_header
from dash_app.components.data import BLOCK_ROWS, first_rows, open_table, value_chips
from dash_app.data.urlstate import StateProblem, read_query

PAGE = {
    "path": "/data",
    "name": "Data",
    "title": "Data",
    "order": 1,
    "icon": "bi-table",
    "nav": True,
    "job": "Browse any SQL database: sort, filter and export millions of rows, and chart the view.",
    "description": "Browse SQL databases in a fast grid.",
    "preload": (AG_GRID_CHUNK,),
    # The page's HTML shows the table with its first rows until the grid shows its own (dash_app/first_screen.py):
    # the first rows are on screen before the scripts have loaded.
    "first_screen": first_rows,
    "first_screen_until": "#data-grid .ag-center-cols-container .ag-row:not(.ag-row-loading) .ag-cell, "
                          "#data-grid .ag-overlay-no-rows-wrapper, #data-grid-note .alert, "
                          "#_pages_content > :not(#data-page)",
}
CLOCK_MS = 100
# Quartz follows the page's colour mode through data-ag-theme-mode (set by assets/js/data.js).
GRID_THEME = ("themeQuartz.withPart(agGrid.colorSchemeVariable).withParams({fontFamily: 'inherit', "
              "accentColor: 'var(--app-accent)', headerFontWeight: 600, wrapperBorderRadius: 10, "
              "backgroundColor: 'var(--app-surface)', borderColor: 'var(--app-border)'})")


def layout(**query: str) -> html.Div:
    """Return the Data page with the database, table and view the URL names already open.

    The grid gets its columns, sort and filters with the page, so it asks for its first rows as soon as it
    renders (dash_app/components/data.py opens the table; problems with the address are shown as messages).
    """
    try:
        state = read_query(query)
        init = {"db": state.database, "table": state.table, "view": state.view, "problem": None}
    except StateProblem as problem:  # the table the address names, if it could be read, plain
        init = {"db": problem.state.database, "table": problem.state.table, "view": {}, "problem": str(problem)}
    page = open_table(init)
    return html.Div(
        [
            dcc.Store(id=ids.DATA_VIEW, data=page["view"]),
            dcc.Store(id=ids.DATA_VALUES_STORE, data=page["values"]),
            dcc.Store(id=ids.DATA_REFRESH, data=0),
            dcc.Store(id=ids.DATA_PURGED),
            dcc.Store(id=ids.DATA_URL_SYNC),
            dcc.Store(id=ids.DATA_COLUMNS_APPLIED),
            # The reader's grid density and side panel choices, kept in the browser (assets/js/data.js applies
            # them before the page renders, so a reload does not jump).
            dcc.Store(id=ids.DATA_DENSITY_STORE, storage_type="local"),
            dcc.Store(id=ids.DATA_PANEL_STORE, storage_type="local"),
            page_header("Data", PAGE["description"], PAGE["icon"]),
            html.Div(page["alerts"], id=ids.DATA_ALERT),
            dbc.Row([dbc.Col(_sidebar(page), lg=3, className="data-sidebar-col"),
                     dbc.Col(_main(page), lg=9, className="data-main-col")],
                    className="g-4"),
        ],
        id=ids.DATA_PAGE,
        className="data-page",
    )


def _sidebar(page: dict) -> html.Aside:
    return html.Aside(
        [
            html.Div([html.Div("Database", className="data-label"), _panel_button(ids.DATA_PANEL_HIDE, True)],
                     className="data-sidebar-head"),
            dbc.DropdownMenu(page["db_items"], label=page["db_label"], id=ids.DATA_DB_MENU, color="light",
                             className="data-db-menu", toggle_class_name="data-db-toggle w-100"),
            html.Div("Tables and views", className="data-label mt-3"),
            dbc.Input(id=ids.DATA_TABLE_SEARCH, type="search", placeholder="Find a table", size="sm",
                      className="data-table-search", debounce=False, autocomplete="off"),
            html.Nav(page["tables"], id=ids.DATA_TABLE_LIST, className="data-table-list"),
        ],
        id=ids.DATA_SIDE_PANEL,
        className="data-sidebar",
        **{"aria-label": "Database and tables"},
    )


def _panel_button(button_id: str, hides: bool) -> html.Button:
    """The side panel's hide button (in the panel) or its show button (before the title, while it is hidden)."""
    if hides:
        title, text = "Hide the database and table panel", html.Span("Hide the database and table panel",
                                                                      className="visually-hidden")
    else:
        title, text = "Show the database and table panel", html.Span(" Tables")
    return html.Button(
        [html.I(className="bi bi-layout-sidebar-inset", **{"aria-hidden": "true"}), text],
        id=button_id, type="button", title=title,
        className="btn btn-sm btn-outline-secondary " + ("data-panel-hide" if hides else "data-panel-show"),
        **{"aria-controls": ids.DATA_SIDE_PANEL, "aria-expanded": "true"},
    )


def _main(page: dict) -> html.Section:
    return html.Section(
        [
            html.Div([_panel_button(ids.DATA_PANEL_SHOW, False),
                      html.H2(page["title"], id=ids.DATA_TITLE, className="data-title"),
                      html.Span(page["count"], id=ids.DATA_COUNT, className="data-count")],
                     className="data-heading"),
            _toolbar(page),
            html.Div(value_chips(page["values"], page["decimals"]), id=ids.DATA_CHIPS, className="data-chips"),
            html.Div(page["export_note"], id=ids.DATA_EXPORT_NOTE),
            html.Div(id=ids.DATA_EDIT_NOTE),
            html.Div(page["grid_note"], id=ids.DATA_GRID_NOTE),
            dbc.Tabs(
                [
                    dbc.Tab(_grid(page), label="Rows", tab_id="rows"),
                    dbc.Tab(_values(page), label="Values", tab_id="values"),
                    dbc.Tab(_chart(page), label="Chart", tab_id="chart"),
                    dbc.Tab(html.Div(page["schema"], id=ids.DATA_SCHEMA, className="data-schema"), label="Schema",
                            tab_id="schema"),
                ],
                id=ids.DATA_TABS,
                active_tab="rows",
                className="data-tabs",
            ),
        ],
        className="data-main",
    )


def _toolbar(page: dict) -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.I(className="bi bi-search data-search-icon"),
                    # dbc's Input is the <input> itself, so all of the box takes clicks (dcc's draws a
                    # container around a narrower input)
                    dbc.Input(id=ids.DATA_SEARCH, value=page["search"], type="search",
                              placeholder="Search text columns", debounce=400, className="data-search",
                              maxLength=200, autoComplete="off"),
                ],
                className="data-search-wrap",
            ),
            dbc.Button([html.I(className="bi bi-layout-three-columns"), html.Span(" Columns")],
                       id=ids.DATA_COLUMNS_BUTTON, color="secondary", outline=True, className="data-tool"),
            dbc.Popover(
                dbc.PopoverBody([
                    html.Div("Show columns (drag headers in the grid to reorder)", className="data-label"),
                    dbc.Checklist(id=ids.DATA_COLUMNS_CHECKLIST, options=page["column_options"], value=page["columns"],
                                  className="data-columns-list"),
                ]),
                target=ids.DATA_COLUMNS_BUTTON, trigger="legacy", placement="bottom-end",
                id=ids.DATA_COLUMNS_POPOVER,
            ),
            html.A([html.I(className="bi bi-filetype-csv"), html.Span(" CSV")], id=ids.DATA_EXPORT_CSV,
                   className=page["csv_class"], download="", href=page["csv_href"]),
            html.A([html.I(className="bi bi-file-earmark-spreadsheet"), html.Span(" Excel")], id=ids.DATA_EXPORT_XLSX,
                   className=page["xlsx_class"], download="", href=page["xlsx_href"], title=page["xlsx_title"]),
            html.Button([html.I(className="bi bi-distribute-vertical", **{"aria-hidden": "true"}),
                         html.Span(" Compact", className="data-tool-text")],
                        id=ids.DATA_DENSITY_TOGGLE, type="button",
                        className="btn btn-outline-secondary data-tool data-density-toggle",
                        title="Compact rows: more of the table on screen",
                        **{"aria-pressed": "false", "aria-label": "Compact rows"}),
        ],
        className="data-toolbar",
    )


def _grid(page: dict) -> html.Div:
    return html.Div(
        dag.AgGrid(
            id=ids.DATA_GRID,
            rowModelType="infinite",
            columnDefs=page["column_defs"],
            filterModel=page["filter_model"] or {},
            defaultColDef={"resizable": True, "sortable": True, "minWidth": 110, "cellDataType": False,
                           "floatingFilter": False},
            dashGridOptions={
                "theme": {"function": GRID_THEME},
                "cacheBlockSize": BLOCK_ROWS,
                "maxBlocksInCache": 200,
                "maxConcurrentDatasourceRequests": 1,
                "blockLoadDebounceMillis": 20,
                "infiniteInitialRowCount": 1,
                "suppressFieldDotNotation": True,
                "enableCellTextSelection": True,
                "ensureDomOrder": True,
                "tooltipShowDelay": 400,
                "stopEditingWhenCellsLoseFocus": True,
                "singleClickEdit": False,
                # in the page's words (the grid's own are Title Case); the search is the server's, so the grid
                # says "match" only for its own column filters
                "localeText": {"noRowsToShow": "No rows to show", "noMatchingRows": "No rows match the filters"},
            },
            className="data-grid",
            # The compact density lets the grid fill the window (--data-grid-height, assets/css/data.css).
            style={"height": "var(--data-grid-height, min(68vh, 680px))", "width": "100%"},
        ),
        className="data-grid-wrap",
    )


def _values(page: dict) -> html.Div:
    return html.Div(
        [
            html.P("The most frequent values of a column in the current view. Tick values to keep only those rows.",
                   className="data-help"),
            dbc.Select(id=ids.DATA_VALUES_COLUMN, options=page["values_column_options"], value=page["values_column"],
                       className="data-values-column"),
            html.Div(id=ids.DATA_VALUES_NOTE),
            dcc.Loading(dbc.Checklist(id=ids.DATA_VALUES_LIST, options=[], value=[], className="data-values-list"),
                        type="dot", delay_show=300),
        ],
        className="data-panel",
    )


def _chart(page: dict) -> html.Div:
    aggregates = [{"label": label, "value": value} for value, label in
                  (("count", "Count rows"), ("sum", "Sum"), ("mean", "Mean"), ("min", "Minimum"), ("max", "Maximum"))]
    buckets = [{"label": "No bucket", "value": "none"}] + [
        {"label": f"By {name}", "value": name} for name in ("day", "week", "month", "quarter", "year")]
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col([dbc.Label("Group by (x)", html_for=ids.DATA_CHART_X),
                             dbc.Select(id=ids.DATA_CHART_X, options=page["x_options"], value=page["x"])], md=3, sm=6),
                    dbc.Col([dbc.Label("Date bucket", html_for=ids.DATA_CHART_BUCKET),
                             dbc.Select(id=ids.DATA_CHART_BUCKET, options=buckets, value="none")], md=2, sm=6),
                    dbc.Col([dbc.Label("Aggregate", html_for=ids.DATA_CHART_AGG),
                             dbc.Select(id=ids.DATA_CHART_AGG, options=aggregates, value="count")], md=2, sm=6),
                    dbc.Col([dbc.Label("Of (y)", html_for=ids.DATA_CHART_Y),
                             dbc.Select(id=ids.DATA_CHART_Y, options=page["y_options"], value=page["y"])], md=3, sm=6),
                    dbc.Col(html.Div([
                        dbc.Button([html.I(className="bi bi-bar-chart"), " Chart"], id=ids.DATA_CHART_RUN,
                                   color="primary"),
                        dbc.Button([html.I(className="bi bi-x-circle"), " Cancel"], id=ids.DATA_CHART_CANCEL,
                                   color="secondary", outline=True, disabled=True),
                    ], className="data-chart-buttons"), md=2, sm=12),
                ],
                className="g-3 align-items-end",
            ),
            # Which of the two words shows is Cancel's (callbacks/data_chart.py): "Cancelling…" from the click on.
            html.Div(html.Span([html.Span(className="spinner-border spinner-border-sm me-2", role="status"),
                                html.Span("Aggregating in the database…", id=ids.DATA_CHART_WORKING),
                                html.Span("Cancelling…", id=ids.DATA_CHART_CANCELLING, hidden=True), " ",
                                html.Span(id=ids.DATA_CHART_ELAPSED)],
                               className="data-chart-running"),
                     id=ids.DATA_CHART_PROGRESS, className="data-chart-status", style={"display": "none"}),
            # Ticks only while a chart runs (callbacks/data_chart.py), for the elapsed time beside the spinner.
            dcc.Interval(id=ids.DATA_CHART_CLOCK, interval=CLOCK_MS, disabled=True),
            # Cancel's request to stop the running chart, sent again until it has stopped (callbacks/data_chart.py).
            dcc.Store(id=ids.DATA_CHART_STOP),
            html.Div(id=ids.DATA_CHART_STATUS, className="data-chart-status"),
            # The chart's graph is put here when a chart is drawn (callbacks/data_chart.py): a graph in the
            # layout would load plotly's 4.8 MB bundle with the page, although most visits show no chart.
            html.Div(id=ids.DATA_CHART_BOX),
        ],
        className="data-panel",
    )
