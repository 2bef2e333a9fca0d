"""What the Data page shows of a database and table: database menu, table list, grid columns, schema, counts.

``open_table`` is the page as the address opens it: the page's layout (pages/data.py) is built from it, so
the grid has its columns and view from the first render and asks for its rows at once. The callbacks use the
same builders for what changes later (counts, ticked values).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app import ids
from dash_app.components import alert
from dash_app.data import export
from dash_app.data.access import refused_action
from dash_app.data.catalog import RowCount, Table, TableSummary, visible_references
from dash_app.data.cells import ValueProblem, shown_text
from dash_app.data.edits import EditRefused, column_editable
from dash_app.data.export import ExportTooLarge
from dash_app.data.limits import FIRST_SCREEN_SECONDS, QueryTimeout
from dash_app.data.query import DATE_OPS, NUMBER_OPS, TEXT_OPS, QueryError, ViewSpec
from dash_app.data.service import DataError
from dash_app.data.urlstate import page_view, query_string
from dash_app.workbench import get_workbench

# Domain exceptions whose message is written for the user; anything else is a bug and is not caught.
USER_ERRORS = (QueryError, ValueProblem, QueryTimeout, DataError, EditRefused, ExportTooLarge)

FILTERS = {
    "text": ("agTextColumnFilter", TEXT_OPS),
    "number": ("agNumberColumnFilter", NUMBER_OPS),
    "date": ("agDateColumnFilter", DATE_OPS),
    "datetime": ("agDateColumnFilter", DATE_OPS),
}
# Rows in one of the grid's blocks (pages/data.py); the first screen shows the first block.
BLOCK_ROWS = 100
# How long the grid waits after the last key typed in a column filter before it asks the database (AG Grid's
# default is 500 ms): long enough that typing a word sends one query, short enough to feel immediate.
FILTER_DEBOUNCE_MS = 200
# The order AG Grid lists operators in, restricted to what the server supports.
OPERATOR_ORDER = ("contains", "notContains", "equals", "notEqual", "startsWith", "endsWith", "lessThan",
                  "lessThanOrEqual", "greaterThan", "greaterThanOrEqual", "inRange", "blank", "notBlank")
KIND_ICONS = {"text": "bi-fonts", "number": "bi-123", "boolean": "bi-toggle-on", "date": "bi-calendar3",
              "datetime": "bi-clock", "json": "bi-braces", "binary": "bi-file-binary", "other": "bi-question-circle"}


def database_menu(names: list[str], current: str) -> tuple:
    """Label and items of the database picker; each item opens that database's first table."""
    items = [
        dbc.DropdownMenuItem([html.I(className="bi bi-database me-2"), name], href=f"?{query_string(name, '')}",
                             active=name == current, className="data-db-item")
        for name in names
    ]
    return [html.I(className="bi bi-database me-2"), current], items


def table_list(database: str, summaries: list[TableSummary], current: str | None) -> list:
    """Links to every table and view with its row count ("≈" where estimated)."""
    if not summaries:
        return [html.P("No tables or views.", className="data-empty")]
    links = []
    for item in summaries:
        icon = "bi-eye" if item.is_view else "bi-table"
        count = "view" if item.is_view else count_text(item.count.value, item.count.exact, short=True)
        link = dcc.Link(
            [html.I(className=f"bi {icon}"), html.Span(item.name, className="data-table-name"),
             html.Span(count, className="data-table-count")],
            href=f"?{query_string(database, item.name)}",
            className="data-table-link" + (" active" if item.name == current else ""),
            title=f"{item.name} ({'view' if item.is_view else count})",
        )
        links.append(html.Div(link, **{"data-name": item.name.lower()}))
    # shown by the name filter (assets/js/data.js filterTables) when it hides every table
    return [*links, html.P("No table or view has this in its name.", className="data-empty data-table-none",
                           hidden=True)]


def count_text(value: int | None, exact: bool, short: bool = False) -> str:
    if value is None:
        return "" if short else "rows not counted"
    text = _short(value) if short else f"{value:,}"
    return text if exact else f"≈ {text}"


def _short(value: int) -> str:
    for size, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if value >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + unit
    return str(value)


def count_badge(value: int | None, exact: bool) -> list:
    if value is None:
        return [html.I(className="bi bi-hourglass me-1"), "many rows (counting was stopped)"]
    rows = "row" if value == 1 else "rows"
    text = f"{value:,} {rows}" if exact else f"≈ {value:,} {rows} (estimated)"
    return [html.I(className="bi bi-list-ol me-1"), text]


def title(table: Table, editable: bool) -> list:
    icon = "bi-eye" if table.is_view else "bi-table"
    badge = dbc.Badge("editable", color="success", className="data-badge ms-2") if editable else dbc.Badge(
        "read-only", className="data-badge data-badge-muted ms-2")
    return [html.I(className=f"bi {icon} me-2"), table.name, badge]


def column_defs(table: Table, spec: ViewSpec, database: str, page_path: str, editable: bool) -> list[dict]:
    """AG Grid column definitions: filter by kind, restored sort and visibility, FK links, editability."""
    sort_index = {name: (position, direction) for position, (name, direction) in enumerate(spec.sort)}
    visible = list(spec.columns) or list(table.names)
    ordered = visible + [name for name in table.names if name not in visible]
    definitions = []
    for name in ordered:
        column = table.column(name)
        definition = {
            "field": name, "colId": name, "headerName": name, "sortable": column.orderable,
            "headerTooltip": f"{column.type_name}{'' if column.nullable else ', not null'}"
                             f"{', primary key' if column.primary_key else ''}",
            "hide": name not in visible,
        }
        if column.kind in FILTERS:
            component, operators = FILTERS[column.kind]
            definition["filter"] = component
            definition["filterParams"] = {
                "filterOptions": [op for op in OPERATOR_ORDER if op in operators],
                "maxNumConditions": 2, "inRangeInclusive": True, "buttons": ["reset"], "debounceMs": FILTER_DEBOUNCE_MS,
            }
        else:
            definition["filter"] = False
        if column.kind == "number":
            definition["type"] = "rightAligned"
        if column.decimals is not None:  # the first screen writes them the same way (dash_app/first_screen.py)
            definition["context"] = {"decimals": column.decimals}
            definition["valueFormatter"] = {"function": f"DataFixed(params.value, {column.decimals})"}
        if column.kind == "boolean":
            definition["cellDataType"] = "boolean"
        if name in sort_index:
            definition["sort"], definition["sortIndex"] = sort_index[name][1], sort_index[name][0]
        if column.foreign_key:
            definition["cellRenderer"] = "DataForeignKey"
            definition["cellRendererParams"] = {"page": page_path, "db": database,
                                                "table": column.foreign_key.table,
                                                "column": column.foreign_key.column}
        definition["editable"] = editable and column_editable(column)
        if column.primary_key:
            definition["pinned"] = "left"
            # a definition's cellClass replaces its type's: a number key keeps the right alignment by naming it
            definition["cellClass"] = ["data-pk"] + (["ag-right-aligned-cell"] if column.kind == "number" else [])
            definition["width"] = 100
        definitions.append(definition)
    return definitions


def schema(table: Table, database: str, page_path: str) -> list:
    """Columns with types, nullability, keys and references, then the indexes."""
    header = html.Thead(html.Tr([html.Th(text) for text in ("Column", "Type", "Null", "Key", "References")]))
    rows = []
    for column in table.columns:
        reference = ""
        if column.foreign_key:
            target = column.foreign_key
            reference = dcc.Link([html.I(className="bi bi-box-arrow-up-right me-1"), f"{target.table}.{target.column}"],
                                 href=f"{page_path}?{query_string(database, target.table)}")
        rows.append(html.Tr([
            html.Td([html.I(className=f"bi {KIND_ICONS[column.kind]} data-kind-icon", title=column.kind),
                     html.Code(column.name)]),
            html.Td(column.type_name, className="data-type"),
            html.Td("yes" if column.nullable else "no"),
            html.Td(dbc.Badge("PK", className="data-badge") if column.primary_key else ""),
            html.Td(reference),
        ]))
    parts = [html.H3("Columns", className="data-subtitle"),
             dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="data-schema-table")]
    if table.is_view:
        parts.append(html.P("A view: no keys or indexes of its own.", className="data-help"))
    else:
        indexes = [html.Li([html.Code(index.name or "(unnamed)"), f" on {', '.join(index.columns)}",
                            " (unique)" if index.unique else ""]) for index in table.indexes]
        parts += [html.H3("Primary key", className="data-subtitle"),
                  html.P(", ".join(table.primary_key) or ("none (rowid)" if table.has_rowid else "none")),
                  html.H3("Indexes", className="data-subtitle"),
                  html.Ul(indexes) if indexes else html.P("No indexes.", className="data-help")]
    return parts


def value_chips(values: dict, decimals: dict[str, int] | None = None) -> list:
    """One chip per column with ticked values, each with a button that removes it; ``decimals``: those of the
    table's fixed-point columns, whose values are written as the grid shows them."""
    chips = []
    for column, ticked in (values or {}).items():
        places = (decimals or {}).get(column)
        shown = ", ".join(shown_text(v, places) for v in ticked[:3]) + (" …" if len(ticked) > 3 else "")
        chips.append(html.Span([
            # one span: a flex item's leading space would be dropped ("statusis ...")
            html.I(className="bi bi-funnel me-1"), html.Span([html.Strong(column), f" is {shown}"]),
            html.Button(html.I(className="bi bi-x"), id=ids.data_chip(column), className="data-chip-remove",
                        title=f"Stop filtering {column}", **{"aria-label": f"Remove the {column} values filter"}),
        ], className="data-chip"))
    return chips


def problem_color(error: Exception) -> str:
    return "warning" if isinstance(error, (QueryTimeout, EditRefused, ExportTooLarge)) else "danger"


def problem_alert(error: Exception):
    """A user error's own message, in the colour that says how serious it is."""
    return alert(str(error), problem_color(error))


# ---- the page as the address opens it ------------------------------------------------------------

# The page with no table open: nothing to browse, pick or chart.
NO_TABLE = {"tables": [], "title": "No table", "column_defs": [], "filter_model": None, "view": None, "values": {},
            "decimals": {},
            "search": "", "column_options": [], "columns": [], "values_column_options": [], "values_column": None,
            "x_options": [], "x": None, "y_options": [], "y": None, "schema": []}


def open_table(init: dict | None) -> dict:
    """Open the database and table the address names (or the first ones), restoring its view.

    ``init`` is the address as ``urlstate.read_query`` reads it (``problem`` is its message when it could not
    be read). Returns what the page shows, by name, the view's count and exports (``view_summary``) included; a
    problem is a message in ``alerts``, never an exception.
    """
    page = _open(init)
    return {**page, **view_summary(page.get("view"), wait=False)}


def _open(init: dict | None) -> dict:
    data = get_workbench().data
    init = init or {}
    messages = [alert(init["problem"], "warning")] if init.get("problem") else []
    database, problem = data.pick_database(init.get("db"))
    if problem:
        messages.append(alert(problem, "warning"))
    label, items = database_menu(data.database_names, database or "No database")
    menu = {"db_label": label, "db_items": items}
    if database is None:  # the user may browse no database at all
        return {**NO_TABLE, **menu, "alerts": messages}
    try:
        opened = data.open(database, init.get("table"), init.get("view"))
    except USER_ERRORS as error:
        return {**NO_TABLE, **menu, "alerts": [*messages, problem_alert(error)]}
    messages += [alert(text, "warning") for text in opened.problems]
    tables = table_list(database, opened.summaries, opened.table.name if opened.table else None)
    if opened.table is None:
        return {**NO_TABLE, **menu, "tables": tables, "title": "No tables",
                "alerts": [*messages, alert(f"{database!r} has no tables or views.", "info")]}
    editable = data.is_editable(database, opened.table.name)
    # References to tables the user may not browse are not shown (nor linked): they would say the table is there.
    table = visible_references(opened.table, {item.name for item in opened.summaries})
    return {**menu, "tables": tables, **_table_outputs(database, table, opened.spec, editable), "alerts": messages}


def _table_outputs(database: str, table: Table, spec: ViewSpec, editable: bool) -> dict:
    """What the page shows of an open table: its title, the grid's columns and filters, the pickers, the schema."""
    page_path = dash.get_relative_path("/data")
    return {
        "title": title(table, editable),
        "column_defs": column_defs(table, spec, database, page_path, editable),
        "filter_model": spec.filters or {},
        "view": {"db": database, "table": table.name, "view": spec.as_json(), "editable": editable},
        "values": spec.values or {},
        "decimals": fixed_point(table),
        "search": spec.search,
        "column_options": _options(table.names),
        "columns": list(spec.columns) or list(table.names),
        **_pickers(table),
        "schema": schema(table, database, page_path),
    }


def fixed_point(table: Table) -> dict[str, int]:
    """The declared decimals of the table's fixed-point columns, by name."""
    return {column.name: column.decimals for column in table.columns if column.decimals is not None}


def _pickers(table: Table) -> dict:
    """The Values and Chart tabs' column pickers, each on the column it starts with."""
    orderable = [c.name for c in table.columns if c.orderable]
    numbers = [c.name for c in table.columns if c.kind == "number"]
    texts = [c.name for c in table.columns if c.kind in ("text", "boolean") and not c.primary_key]
    dates = [c.name for c in table.columns if c.kind in ("date", "datetime")]
    return {
        "values_column_options": _options(orderable), "values_column": _first(texts, orderable),
        "x_options": _options(orderable), "x": _first(dates, orderable),
        "y_options": _options(numbers or orderable), "y": _first(numbers),
    }


def _options(names: list[str]) -> list[dict]:
    return [{"label": name, "value": name} for name in names]


def _first(*choices: list[str]) -> str | None:
    """The first name of the first list that has one."""
    return next((names[0] for names in choices if names), None)


def first_rows(layout) -> list[dict] | None:
    """The grid's first block for the page's first screen (dash_app/first_screen.py), read as the grid will read
    it; None when no table is open, the view is empty or the block cannot be read (the page then arrives without
    a first screen)."""
    view = page_view(_store_data(layout, ids.DATA_VIEW))
    if not view:
        return None
    data = get_workbench().data
    try:
        table, spec = data.view(view["db"], view["table"], view["view"])
        rows = data.block(view["db"], table, spec, 0, BLOCK_ROWS, seconds=FIRST_SCREEN_SECONDS).rows
    except USER_ERRORS:
        return None
    return rows or None  # an empty view: nothing to show sooner (and AG Grid's infinite model shows no "no rows")


def _store_data(layout, store_id: str):
    """The data of the store ``store_id`` in a layout (a page's own stores are its direct children)."""
    for child in getattr(layout, "children", None) or []:
        if getattr(child, "id", None) == store_id:
            return getattr(child, "data", None)
    return None


EXPORT_CLASS = "btn btn-outline-secondary data-tool"
NO_CSV = {"csv_href": None, "csv_class": EXPORT_CLASS + " disabled"}
NO_EXCEL = {"xlsx_href": None, "xlsx_class": EXPORT_CLASS + " disabled", "xlsx_title": ""}


def view_summary(view, *, wait: bool = True) -> dict:
    """The view's row count and its export links (Excel only where it fits), by name; the grid's message is the
    reason the view cannot be read, or none.

    callbacks/data_browse.py shows it for each view. The page arrives with it (``open_table``) without waiting
    (``wait=False``): a count that needs counting the view's rows is then left out, for the callback to show.
    The reason goes where a block of rows that fails puts its own (callbacks/data_grid.py), so that the two,
    which are the same, show once; the export buttons then look as unavailable as they are.
    """
    view = page_view(view)
    if not view:
        return {"count": "", **NO_CSV, **NO_EXCEL, "export_note": None, "grid_note": None}
    data = get_workbench().data
    base = dash.get_relative_path("/data/export")
    query = query_string(view["db"], view["table"], view["view"])
    shown = {"csv_href": f"{base}.csv?{query}", "csv_class": EXPORT_CLASS, "grid_note": None}
    try:
        table, spec = data.view(view["db"], view["table"], view["view"])
        count = data.view_count(view["db"], table, spec) if wait else data.known_count(view["db"], table, spec)
    except USER_ERRORS as error:  # the message says why; an export of this view would only fail
        return {**shown, **NO_CSV, "count": "", **NO_EXCEL, "export_note": None, "grid_note": problem_alert(error)}
    if not data.may(view["db"], table.name, "export"):  # the view is theirs to see, not to download
        shown.update(NO_CSV)
        note = html.P([html.I(className="bi bi-info-circle me-1"), str(refused_action(table.name, "export"))],
                      className="data-export-note")
        return {**shown, "count": count_badge(count.value, count.exact) if count else "", **NO_EXCEL,
                "xlsx_title": "", "export_note": note}
    if count is None:  # not known without counting: shown when counted
        return {**shown, "count": "", **_excel_link(f"{base}.xlsx?{query}", RowCount(None, exact=False))}
    return {**shown, "count": count_badge(count.value, count.exact), **_excel_link(f"{base}.xlsx?{query}", count)}


def _excel_link(href: str, count: RowCount) -> dict:
    """The Excel button: the view's download, or disabled with the reason when the view is too big for a sheet."""
    if count.value is None or export.fits_excel(count.value):
        return {"xlsx_href": href, "xlsx_class": EXPORT_CLASS, "xlsx_title": "Download the view as Excel",
                "export_note": None}
    most = f"{export.EXCEL_MAX_DATA_ROWS:,}"
    note = html.P([html.I(className="bi bi-info-circle me-1"),
                   (f"Excel holds at most {most} rows and this view has {'' if count.exact else 'about '}"
                   f"{count.value:,}: export CSV, or filter the view first.")], className="data-export-note")
    return {**NO_EXCEL, "xlsx_title": f"More than {most} rows: too many for Excel", "export_note": note}
