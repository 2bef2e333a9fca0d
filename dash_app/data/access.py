"""Who may use which configured database and table, and for what: the one rule of DASH_APP_DATABASE_ROLES.

Every entry point asks it through the Data service (dash_app/data/service.py), which applies it to the user of
the request: the Data page's database menu and table list, the address, the grid's rows, counts and values, the
charts, the exports, the edits and Training's Table source. What a user may not browse is answered exactly as
something that does not exist (:class:`NotAvailable`, with the unknown name's own message), so a bookmarked
address never tells whether a forbidden table is there.

The rule, per database (``dash_app.settings.DatabaseRoles``): ``roles`` are the roles that may browse it (absent:
every user); a table in ``tables`` is open only to users who also have one of its roles; an action in
``actions`` (export, chart, edit, train) needs one of its roles too. Each list can only narrow. Admins (the
identity's ``admin``) may use everything; a database the setting does not name is open to every user, as
before the setting existed. This module is pure: the identity is any object with ``roles`` and ``admin``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from dash_app.data.query import QueryError

BROWSE = "browse"
ACTIONS = (BROWSE, "export", "chart", "edit", "train")
ACTION_WORDS = {"export": "Exporting", "chart": "Charting", "edit": "Editing", "train": "Training on"}


class Viewer(Protocol):
    """What the rule reads of a user (dash_app/identity.py ``Identity`` is one)."""

    roles: frozenset[str]
    admin: bool


class NotAvailable(QueryError):
    """Something the user may not use (or that is not there); the message is the same either way."""


def unknown_database(name: object, offered: Iterable[str]) -> NotAvailable:
    return NotAvailable(f"There is no database called {str(name)[:60]!r}. Pick one of: {', '.join(offered)}.")


def unknown_table(name: object) -> NotAvailable:
    """The message of catalog.reflect_table for a table that is not in the database, word for word."""
    return NotAvailable(f"There is no table or view called {str(name)[:60]!r} in this database.")


def refused_action(table: object, action: str) -> NotAvailable:
    return NotAvailable(f"{ACTION_WORDS[action]} {str(table)[:60]!r} is not available to you.")


class DatabaseAccess:
    """The rules of ``DASH_APP_DATABASE_ROLES`` (database name -> an object with ``roles``, ``tables``,
    ``actions``), asked for one user at a time."""

    def __init__(self, rules: Mapping[str, Any]) -> None:
        self._rules = dict(rules)

    def allows(self, viewer: Viewer, database: str, table: str | None = None, action: str = BROWSE) -> bool:
        """Whether ``viewer`` may use ``database`` (and ``table`` in it, when given) for ``action``."""
        if action not in ACTIONS:
            raise ValueError(action)
        rule = self._rules.get(database)
        if rule is None or getattr(viewer, "admin", False):
            return True
        roles = frozenset(getattr(viewer, "roles", ()) or ())
        needed = [rule.roles, rule.tables.get(table) if table is not None else None,
                  rule.actions.get(action) if action != BROWSE else None]
        return all(names is None or not roles.isdisjoint(names) for names in needed)

    def databases(self, viewer: Viewer, names: Iterable[str], action: str = BROWSE) -> list[str]:
        """The names ``viewer`` may use for ``action``, in the given order."""
        return [name for name in names if self.allows(viewer, name, None, action)]

    def tables(self, viewer: Viewer, database: str, names: Iterable[str], action: str = BROWSE) -> list[str]:
        """The tables of ``database`` that ``viewer`` may use for ``action``, in the given order."""
        return [name for name in names if self.allows(viewer, database, name, action)]
