"""The host's user store: SQLite with Werkzeug password hashes (the host's own, not the product's)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

SCHEMA = """
create table if not exists users (
    id integer primary key,
    username text not null unique,
    name text not null,
    password_hash text not null,
    roles text not null default ''
)
"""
COLUMNS = "id, username, name, roles"


@dataclass(frozen=True)
class User(UserMixin):
    """A signed-in host user; Flask-Login needs ``get_id``, the product files what the user owns under it,
    shows ``name`` as a label and reads ``roles`` (dash_app/auth.py ``roles_attribute``)."""

    id: int
    username: str
    name: str
    roles: tuple[str, ...] = ()

    def get_id(self) -> str:
        return str(self.id)


def _user(row) -> User:
    return User(row[0], row[1], row[2], tuple(role for role in (row[3] or "").split(",") if role))


class UserStore:
    """Users in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(SCHEMA)
            if "roles" not in {row[1] for row in db.execute("pragma table_info(users)")}:  # a store from before roles
                db.execute("alter table users add column roles text not null default ''")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def add(self, username: str, password: str, name: str | None = None, roles: tuple[str, ...] = ()) -> User:
        """Create a user (or reset its password, name and roles) and return it."""
        if not username or not password:
            msg = "username and password must not be empty"
            raise ValueError(msg)
        if any(not role or "," in role for role in roles):
            msg = "a role is a non-empty name without commas"
            raise ValueError(msg)
        with self._connect() as db:
            db.execute(
                "insert into users (username, name, password_hash, roles) values (?, ?, ?, ?) "
                "on conflict(username) do update set name = excluded.name, password_hash = excluded.password_hash,"
                " roles = excluded.roles",
                (username, name or username, generate_password_hash(password), ",".join(roles)),
            )
        return self.by_username(username)

    def by_id(self, user_id: str) -> User | None:
        """Return the user with this id, or None."""
        if not user_id.isdigit():
            return None
        with self._connect() as db:
            row = db.execute(f"select {COLUMNS} from users where id = ?", (int(user_id),)).fetchone()
        return _user(row) if row else None

    def by_username(self, username: str) -> User | None:
        """Return the user with this username, or None."""
        with self._connect() as db:
            row = db.execute(f"select {COLUMNS} from users where username = ?", (username,)).fetchone()
        return _user(row) if row else None

    def check(self, username: str, password: str) -> User | None:
        """Return the user if the password is right, else None."""
        with self._connect() as db:
            row = db.execute(
                f"select {COLUMNS}, password_hash from users where username = ?", (username,)
            ).fetchone()
        if row is None or not check_password_hash(row[4], password):
            return None
        return _user(row)
