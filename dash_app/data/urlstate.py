"""The Data page's state in the address bar: ``?db=NAME&table=NAME&v=<compact JSON view>``.

A bookmarked, reloaded or shared URL restores the database, table, sort, filters, ticked values,
quick search and visible columns. This module only reads and writes the text; names and values are
checked against the real schema later (``query.parse_view``), so a hostile URL gets a clear message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from dash_app.data.query import NOT_PLAIN, as_typed, plain

MAX_VIEW_CHARS = 20_000


@dataclass(frozen=True)
class PageState:
    """What the URL asks for, not yet checked against the database."""

    database: str | None = None
    table: str | None = None
    view: dict = field(default_factory=dict)


class StateProblem(ValueError):
    """The URL's state cannot be read; the message is for the user.

    ``state`` is what could be read: the database and table when only the view is damaged (a link cut short),
    so that the page opens the table the address names, plain.
    """

    def __init__(self, message: str, state: PageState | None = None) -> None:
        super().__init__(message)
        self.state = state or PageState()


def read_query(query: dict) -> PageState:
    """Read the page's query arguments; raise StateProblem for a value that is not even well-formed."""
    database, table, view_text = query.get("db"), query.get("table"), query.get("v")
    for name, value in (("db", database), ("table", table)):
        if value is not None and (not isinstance(value, str) or len(value) > 200):
            raise StateProblem(f"The address has an unusable {name!r} value.")
    plain_table = PageState(database or None, table or None)
    if not view_text:
        return plain_table
    if not isinstance(view_text, str) or len(view_text) > MAX_VIEW_CHARS:
        raise StateProblem("The view in the address is too long to be real.", plain_table)
    try:
        view = json.loads(view_text)
    except (ValueError, RecursionError):
        raise StateProblem("The view in the address is incomplete or damaged (was the link cut short?).",
                           plain_table) from None
    if not isinstance(view, dict):
        raise StateProblem("The view in the address is damaged.", plain_table)
    view = as_typed(view)  # the page writes the address with JSON.stringify: 1e20 as digits
    if not plain(view):
        raise StateProblem(f"The view in the address {NOT_PLAIN}", plain_table)
    return PageState(database or None, table or None, view)


def page_view(stored: object) -> dict | None:
    """The view the page keeps in its store (``{"db", "table", "view"}``, written by the server) with every key
    present, or None when the store is not an object (no table open yet, or a store a client tampered with).

    The names are not checked here: the Data service refuses an unknown or ill-typed one with a message
    (``DataService.view``). A ``view`` that is not an object is the plain table.
    """
    if not isinstance(stored, dict):
        return None
    view = stored.get("view")
    return {**stored, "db": stored.get("db"), "table": stored.get("table"), "view": view if isinstance(view, dict) else {}}


def query_string(database: str, table: str, view: dict | None = None) -> str:
    """The query string (without "?") for a view."""
    arguments = {"db": database, "table": table}
    if view:
        arguments["v"] = json.dumps(view, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return urlencode(arguments)
