"""Components the Data page's callbacks fill in: database menu, table list, grid columns, schema, counts."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app import ids
from dash_app.data.catalog import Table, TableSummary
from dash_app.data.edits import column_editable
from dash_app.data.query import DATE_OPS, NUMBER_OPS, TEXT_OPS, ViewSpec
from dash_app.data.urlstate import query_string

FILTERS = {
    "text": ("agTextColumnFilter", TEXT_OPS),
    "number": ("agNumberColumnFilter", NUMBER_OPS),
    "date": ("agDateColumnFilter", DATE_OPS),
    "datetime": ("agDateColumnFilter", DATE_OPS),
}
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
    return links


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
                "maxNumConditions": 2, "inRangeInclusive": True, "buttons": ["reset"], "debounceMs": 500,
            }
        else:
            definition["filter"] = False
        if column.kind == "number":
            definition["type"] = "rightAligned"
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
            definition["cellClass"] = "data-pk"
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


def value_chips(values: dict) -> list:
    """One chip per column with ticked values, each with a button that removes it."""
    chips = []
    for column, ticked in (values or {}).items():
        shown = ", ".join("(blank)" if v is None else str(v) for v in ticked[:3]) + (" …" if len(ticked) > 3 else "")
        chips.append(html.Span([
            html.I(className="bi bi-funnel me-1"), html.Strong(column), f" is {shown}",
            html.Button(html.I(className="bi bi-x"), id=ids.data_chip(column), className="data-chip-remove",
                        title=f"Stop filtering {column}", **{"aria-label": f"Remove the {column} values filter"}),
        ], className="data-chip"))
    return chips
