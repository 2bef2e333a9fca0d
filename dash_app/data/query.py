"""The grid's view (sort, filters, ticked values, quick search) as the browser sends it, checked.

Everything here arrives from the browser: names are looked up in the reflected :class:`Table` (an
unknown one raises :class:`QueryError`) and values are converted to the column's kind, so that
``sql.py`` can turn the checked :class:`ViewSpec` into SQLAlchemy Core with bound parameters only.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

from dash_app.data import cells
from dash_app.data.capacity import check_fits, holds
from dash_app.data.catalog import Column, SchemaError, Table
from dash_app.data.cells import ValueProblem

TEXT_OPS = {"contains", "notContains", "equals", "notEqual", "startsWith", "endsWith", "blank", "notBlank"}
NUMBER_OPS = {"equals", "notEqual", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual",
              "inRange", "blank", "notBlank"}
DATE_OPS = {"equals", "notEqual", "lessThan", "greaterThan", "inRange", "blank", "notBlank"}
OPS_BY_FILTER = {"text": TEXT_OPS, "number": NUMBER_OPS, "date": DATE_OPS}
FILTER_OF_KIND = {"text": "text", "number": "number", "date": "date", "datetime": "date"}
MAX_CONDITIONS = 4
MAX_SORT_COLUMNS = 8
MAX_TICKED_VALUES = 500
MAX_SEARCH_CHARS = 200


class QueryError(ValueError):
    """The view asked for something the table does not have or a value that does not fit; for the user."""


@dataclass(frozen=True)
class ViewSpec:
    """A checked view of one table: what to filter, how to order, which columns to show."""

    table: str
    sort: tuple[tuple[str, str], ...] = ()
    filters: dict | None = None  # AG Grid filterModel shape, checked
    values: dict | None = None  # column -> ticked values (JSON values, None for NULL)
    search: str = ""
    columns: tuple[str, ...] = ()  # visible columns in order; empty = all

    def key(self, database: str) -> str:
        """A hash of everything that decides which rows come in which order (not the visible columns)."""
        payload = [database, self.table, self.sort, self.filters or {}, self.values or {}, self.search]
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:32]

    def as_json(self) -> dict:
        """The compact form kept in the URL and sent to the export route."""
        return compact_view(sort=[list(item) for item in self.sort], filters=self.filters, values=self.values,
                            search=self.search, columns=list(self.columns))


def compact_view(*, sort: object = None, filters: object = None, values: object = None, search: object = None,
                 columns: object = None) -> dict:
    """A view in its compact form (the URL's ``v``, the page's view store, what :func:`parse_view` reads): one
    letter a part, only the parts that are set. Nothing is checked here."""
    parts = {"s": sort, "f": filters, "v": values, "q": search, "c": columns}
    return {key: value for key, value in parts.items() if value}


def grid_view(previous: dict | None = None, *, filters: object = None, search: object = None, values: object = None,
              sort: object = None, column_state: object = None) -> dict:
    """The compact view of what the grid and the panels show, from their own state; :func:`parse_view` checks it.

    ``filters`` is the grid's filterModel, ``search`` the quick search, ``values`` the ticked values. The sort is
    ``sort`` (a block request's sortModel) or else read from the grid's ``column_state``, which also says which
    columns are shown (kept only once they differ from all of them in order). A sort or columns not given are
    kept from ``previous``, and so is the order of its parts.
    """
    view = dict(previous or {})
    changes = {"f": as_typed(filters), "q": search.strip() if isinstance(search, str) else search, "v": values}
    states = [item for item in column_state if isinstance(item, dict) and item.get("colId")] \
        if isinstance(column_state, list) else []
    if sort is None and states:
        ordered = sorted((item for item in states if item.get("sort")), key=_sort_index)
        sort = [[item["colId"], item["sort"]] for item in ordered]
    if sort is not None:
        changes["s"] = sort
    shown = [item["colId"] for item in states if not item.get("hide")]
    if states and (shown != [item["colId"] for item in states] or view.get("c")):
        changes["c"] = shown
    for key, value in changes.items():
        if value:
            view[key] = value
        else:
            view.pop(key, None)
    return view


def as_typed(value: object, depth: int | None = None) -> object:
    """Numbers from the browser as it holds them: JavaScript's numbers are doubles, and JSON writes one from
    2**63 up to 1e21 as integer digits, which read back as an integer wider than any database's. Such a number
    is the double that was typed (10**20 in a number filter: no row, or a message naming the column), whether it
    comes from the grid or back from the page's view store or address; a wider one is hand-made, and
    :func:`plain` refuses it. Deeper than a view nests (MAX_VIEW_DEPTH) is left for :func:`plain` too."""
    depth = MAX_VIEW_DEPTH if depth is None else depth
    if depth and isinstance(value, dict):
        return {key: as_typed(item, depth - 1) for key, item in value.items()}
    if depth and isinstance(value, list):
        return [as_typed(item, depth - 1) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and INT64 <= abs(value) < JSON_DIGITS_BELOW:
        return float(value)
    return value


def _sort_index(state: dict) -> int:
    """Where a column stands in a multi-column sort (a value that is not a whole number counts as first)."""
    index = state.get("sortIndex")
    return index if isinstance(index, int) and not isinstance(index, bool) else 0


MAX_VIEW_DEPTH = 12  # a real view nests at most 5 deep (filters of a column: conditions: values)
INT64 = 2**63
JSON_DIGITS_BELOW = 10**21  # JSON.stringify writes a double below this as digits, from it on as 1e+21
NOT_PLAIN = ("holds values no table column can hold (nesting too deep, text that is not Unicode, or a number "
             "beyond 64 bits).")


def plain(value: object, depth: int = MAX_VIEW_DEPTH) -> bool:
    """Whether a view sent by a browser holds only what a database can be asked and the page can send back:
    bounded nesting, text that is valid Unicode (no lone surrogates), integers within 64 bits, finite numbers."""
    if isinstance(value, dict):
        return depth > 0 and all(plain(key, depth) and plain(item, depth - 1) for key, item in value.items())
    if isinstance(value, list):
        return depth > 0 and all(plain(item, depth - 1) for item in value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return -INT64 <= value < INT64
    if isinstance(value, float):
        return math.isfinite(value)
    return False


def parse_view(table: Table, raw: object) -> ViewSpec:
    """Check a view sent by the browser (compact URL form) against the table; raise QueryError."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise QueryError("The view description is not an object.")
    raw = as_typed(raw)  # the view store holds what the browser wrote back: 1e20 as digits
    if not plain(raw):
        raise QueryError(f"The view {NOT_PLAIN}")
    try:
        return ViewSpec(
            table=table.name,
            sort=parse_sort(table, raw.get("s", [])),
            filters=parse_filters(table, raw.get("f")),
            values=_parse_values(table, raw.get("v")),
            search=_parse_search(table, raw.get("q", "")),
            columns=_parse_columns(table, raw.get("c", [])),
        )
    except (SchemaError, ValueProblem) as error:
        raise QueryError(str(error)) from None


def checked_column(table: Table, name: object) -> Column:
    """The table's column called ``name``; raise QueryError for any other value."""
    try:
        return table.column(name)
    except SchemaError as error:
        raise QueryError(str(error)) from None


def parse_sort(table: Table, raw: object) -> tuple[tuple[str, str], ...]:
    """Sort as [(column, "asc"|"desc")] from [[col, dir]] or the grid's [{"colId", "sort"}]."""
    if not isinstance(raw, list) or len(raw) > MAX_SORT_COLUMNS:
        raise QueryError(f"The sort must be a list of at most {MAX_SORT_COLUMNS} columns.")
    result = []
    for item in raw:
        name, direction = (item.get("colId"), item.get("sort")) if isinstance(item, dict) else (
            item if isinstance(item, list) and len(item) == 2 else (None, None))
        column = table.column(name)
        if direction not in ("asc", "desc"):
            raise QueryError(f"Sort direction {str(direction)[:20]!r} is not asc or desc.")
        if not column.orderable:
            raise QueryError(f"Column {column.name!r} ({column.kind}) cannot be sorted.")
        if column.name not in {existing for existing, _ in result}:
            result.append((column.name, direction))
    return tuple(result)


def parse_filters(table: Table, raw: object) -> dict | None:
    """Check an AG Grid filterModel: known columns, supported operators, values that fit the column."""
    if raw in (None, {}):
        return None
    if not isinstance(raw, dict):
        raise QueryError("The filters must be an object of column -> filter.")
    checked = {}
    for name, model in raw.items():
        column = table.column(name)
        if not column.filterable:
            raise QueryError(f"Column {column.name!r} ({column.kind}) cannot be filtered.")
        if not isinstance(model, dict):
            raise QueryError(f"The filter of {column.name!r} is not an object.")
        conditions = model.get("conditions") if "conditions" in model else [model]
        operator = model.get("operator", "AND") if "conditions" in model else "AND"
        if operator not in ("AND", "OR"):
            raise QueryError(f"Filter operator {str(operator)[:20]!r} is not AND or OR.")
        if not isinstance(conditions, list) or not 1 <= len(conditions) <= MAX_CONDITIONS:
            raise QueryError(f"A column filter has 1 to {MAX_CONDITIONS} conditions.")
        checked_conditions = [_checked_condition(column, condition) for condition in conditions]
        if len(checked_conditions) == 1:
            checked[column.name] = checked_conditions[0]
        else:
            checked[column.name] = {"filterType": checked_conditions[0]["filterType"], "operator": operator,
                                    "conditions": checked_conditions}
    return checked or None


def _checked_condition(column: Column, condition: object) -> dict:
    if not isinstance(condition, dict):
        raise QueryError(f"A filter condition of {column.name!r} is not an object.")
    expected = FILTER_OF_KIND[column.kind]
    filter_type, operation = condition.get("filterType", expected), condition.get("type")
    if filter_type != expected:
        raise QueryError(f"Column {column.name!r} takes a {expected} filter, not {str(filter_type)[:20]!r}.")
    if operation not in OPS_BY_FILTER[expected]:
        raise QueryError(f"The {expected} filter has no operator {str(operation)[:30]!r}.")
    checked = {"filterType": expected, "type": operation}
    if operation in ("blank", "notBlank"):
        return checked
    if expected == "text":
        checked["filter"] = _fitting(column, cells.parse_text(condition.get("filter")))
    elif expected == "number":
        checked["filter"] = _fitting(column, _json_number(condition.get("filter")))
        if operation == "inRange":
            checked["filterTo"] = _fitting(column, _json_number(condition.get("filterTo")))
    else:
        checked["dateFrom"] = _fitting(column, cells.parse_day(condition.get("dateFrom"))).isoformat()
        if operation == "inRange":
            checked["dateTo"] = _fitting(column, cells.parse_day(condition.get("dateTo"))).isoformat()
    return checked


def _fitting(column: Column, value: object) -> object:
    """``value`` when the column can hold it (dash_app/data/capacity.py); ValueProblem naming the column otherwise."""
    check_fits(column, value)
    return value


def ticked_value(column: Column, value: object) -> object:
    """A ticked value checked against the column's kind: a number, a flag or text (None for NULL); raise
    ValueProblem for one the column cannot hold. ``sql.py`` binds it in the form each dialect stores."""
    if value is None:
        return None
    if column.kind == "number":
        return _fitting(column, _json_number(value))
    if column.kind == "boolean":
        return cells.parse_bool(value)
    text = _fitting(column, cells.parse_text(value))
    if column.kind in ("date", "datetime") and column.capacity.days:  # an engine whose dates have a range
        _fitting(column, cells.parse_datetime(text) if column.kind == "datetime" else cells.parse_day(text))
    return text


def _json_number(value: object) -> int | float:
    """A number from JSON or a form, as an int or a float (never a Decimal)."""
    number = cells.parse_number(value)
    return number if isinstance(number, int) else float(number)


def _parse_values(table: Table, raw: object) -> dict | None:
    if raw in (None, {}):
        return None
    if not isinstance(raw, dict):
        raise QueryError("The ticked values must be an object of column -> list.")
    checked = {}
    for name, values in raw.items():
        column = table.column(name)
        if not column.orderable:
            raise QueryError(f"Column {column.name!r} ({column.kind}) has no values to tick.")
        if not isinstance(values, list) or not 1 <= len(values) <= MAX_TICKED_VALUES:
            raise QueryError(f"Tick 1 to {MAX_TICKED_VALUES} values of {column.name!r}.")
        for value in values:
            ticked_value(column, value)  # checks the value fits the column's kind
        checked[column.name] = values
    return checked


def _parse_search(table: Table, raw: object) -> str:
    if not isinstance(raw, str):
        raise QueryError("The quick search must be text.")
    if len(raw) > MAX_SEARCH_CHARS:
        raise QueryError(f"The quick search is limited to {MAX_SEARCH_CHARS} characters.")
    text = raw.strip().replace("\x00", "")
    texts = [column for column in table.columns if column.kind == "text"]
    if text and texts and not searched_columns(table, text):  # none of them can hold it: say which cannot
        check_fits(texts[0], text)
    return text


def searched_columns(table: Table, text: str) -> list[Column]:
    """The text columns the quick search looks in: those that can hold ``text`` (a column whose character set
    lacks one of its characters holds no value that contains it, and comparing would be a database error)."""
    return [column for column in table.columns if column.kind == "text" and holds(column, text)]


def _parse_columns(table: Table, raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list) or len(raw) > len(table.columns):
        raise QueryError("The visible columns must be a list of the table's columns.")
    names = tuple(dict.fromkeys(table.column(name).name for name in raw))
    return names
