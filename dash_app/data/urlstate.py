"""The Data page's state in the address bar: ``?db=NAME&table=NAME&v=<compact JSON view>``.

A bookmarked, reloaded or shared URL restores the database, table, sort, filters, ticked values,
quick search and visible columns. This module only reads and writes the text; names and values are
checked against the real schema later (``query.parse_view``), so a hostile URL gets a clear message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

MAX_VIEW_CHARS = 20_000


class StateProblem(ValueError):
    """The URL's state cannot be read; the message is for the user."""


@dataclass(frozen=True)
class PageState:
    """What the URL asks for, not yet checked against the database."""

    database: str | None = None
    table: str | None = None
    view: dict = field(default_factory=dict)


def read_query(query: dict) -> PageState:
    """Read the page's query arguments; raise StateProblem for a value that is not even well-formed."""
    database, table, view_text = query.get("db"), query.get("table"), query.get("v")
    for name, value in (("db", database), ("table", table)):
        if value is not None and (not isinstance(value, str) or len(value) > 200):
            raise StateProblem(f"The address has an unusable {name!r} value.")
    view: object = {}
    if view_text:
        if not isinstance(view_text, str) or len(view_text) > MAX_VIEW_CHARS:
            raise StateProblem("The view in the address is too long to be real.")
        try:
            view = json.loads(view_text)
        except ValueError:
            raise StateProblem("The view in the address is not valid JSON (was the link cut short?).") from None
        if not isinstance(view, dict):
            raise StateProblem("The view in the address is not a JSON object.")
    return PageState(database or None, table or None, view)


def page_view(stored: object) -> dict | None:
    """The view the page keeps in its store (``{"db", "table", "view"}``, written by the server), or None when
    the store holds anything else (no table open yet, or a store a client tampered with): the page then acts
    as if no table were open. Names and values are still checked against the schema (``query.parse_view``)."""
    if not isinstance(stored, dict):
        return None
    database, table, view = stored.get("db"), stored.get("table"), stored.get("view") or {}
    if not isinstance(database, str) or not isinstance(table, str) or not isinstance(view, dict):
        return None
    return {**stored, "view": view}


def query_string(database: str, table: str, view: dict | None = None) -> str:
    """The query string (without "?") for a view."""
    arguments = {"db": database, "table": table}
    if view:
        arguments["v"] = json.dumps(view, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return urlencode(arguments)
