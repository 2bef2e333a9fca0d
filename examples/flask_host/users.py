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
    password_hash text not null
)
"""


@dataclass(frozen=True)
class User(UserMixin):
    """A signed-in host user; Flask-Login needs ``get_id`` and the product shows ``name``."""

    id: int
    username: str
    name: str

    def get_id(self) -> str:
        return str(self.id)


class UserStore:
    """Users in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def add(self, username: str, password: str, name: str | None = None) -> User:
        """Create a user (or reset its password and name) and return it."""
        if not username or not password:
            msg = "username and password must not be empty"
            raise ValueError(msg)
        with self._connect() as db:
            db.execute(
                "insert into users (username, name, password_hash) values (?, ?, ?) "
                "on conflict(username) do update set name = excluded.name, password_hash = excluded.password_hash",
                (username, name or username, generate_password_hash(password)),
            )
        return self.by_username(username)

    def by_id(self, user_id: str) -> User | None:
        """Return the user with this id, or None."""
        if not user_id.isdigit():
            return None
        with self._connect() as db:
            row = db.execute("select id, username, name from users where id = ?", (int(user_id),)).fetchone()
        return User(*row) if row else None

    def by_username(self, username: str) -> User | None:
        """Return the user with this username, or None."""
        with self._connect() as db:
            row = db.execute("select id, username, name from users where username = ?", (username,)).fetchone()
        return User(*row) if row else None

    def check(self, username: str, password: str) -> User | None:
        """Return the user if the password is right, else None."""
        with self._connect() as db:
            row = db.execute(
                "select id, username, name, password_hash from users where username = ?", (username,)
            ).fetchone()
        if row is None or not check_password_hash(row[3], password):
            return None
        return User(*row[:3])
