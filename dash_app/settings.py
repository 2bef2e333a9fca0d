"""Typed settings from ``DASH_APP_*`` environment variables: the only module that reads the environment.

A wrong value must stop start-up with one line that names the variable and says what is allowed, so
every field carries an ``allowed`` text and validation errors are rewritten into :class:`SettingsError`.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as PydanticSettingsError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from dash_app.demo import DEFAULT_ORDER_LINES

ENV_PREFIX = "DASH_APP_"
DASH_OWN_VARIABLES = {"DASH_APP_NAME"}  # read by Dash itself, not a typo of ours
SUPPORTED_DIALECTS = ("sqlite", "postgresql", "mysql", "mariadb")
DEMO_DATABASE_NAME = "demo"
DEMO_DATABASE_FILE = "demo.sqlite"
_PREFIX_PATTERN = re.compile(r"^/((?!\.+/)[A-Za-z0-9._~-]+/)*$")  # no "." or ".." segments
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


DATABASE_ACTIONS = ("export", "chart", "edit", "train")  # what DASH_APP_DATABASE_ROLES may narrow beyond browsing
RoleNames = list[Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]]


class DatabaseRoles(BaseModel):
    """Who may use one database (DASH_APP_DATABASE_ROLES; the rule itself: dash_app/data/access.py).

    ``roles``: the roles that may browse it (absent: every user); ``tables``: tables open only to these roles
    (within the database's); ``actions``: export, chart, edit or train on it only with these roles (ditto).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: RoleNames | None = None
    tables: dict[str, RoleNames] = Field(default_factory=dict)
    actions: dict[Literal["export", "chart", "edit", "train"], RoleNames] = Field(default_factory=dict)


class SettingsError(ValueError):
    """A setting has a value the product cannot run with; the message is one line for the terminal."""


def _allowed(text: str) -> dict[str, Any]:
    return {"allowed": text}


class Settings(BaseSettings):
    """Everything the product can be configured with; build with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="ignore", validate_default=True, frozen=True
    )

    title: str = Field(
        "Workbench", min_length=1, max_length=60,
        json_schema_extra=_allowed("a product name of 1 to 60 characters"),
    )
    data_dir: Path = Field(
        Path("data"),
        json_schema_extra=_allowed("a directory path the app may create and write to"),
    )
    databases: dict[str, str] = Field(
        default_factory=dict,
        json_schema_extra=_allowed(
            'a JSON object of name -> SQLAlchemy URL, e.g. {"sales": "postgresql+psycopg://u:p@host/db"};'
            " dialects: " + ", ".join(SUPPORTED_DIALECTS)
        ),
    )
    store_url: str | None = Field(
        None,
        json_schema_extra=_allowed("a SQLAlchemy URL for the app's own store (default: SQLite in the data directory)"),
    )
    background: Literal["diskcache", "celery"] = Field(
        "diskcache", json_schema_extra=_allowed("'diskcache' or 'celery'")
    )
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0",
        json_schema_extra=_allowed("a redis:// or rediss:// URL"),
    )
    shared_cache: Literal["local", "redis"] | None = Field(
        None,
        json_schema_extra=_allowed(
            "'local' or 'redis'; redis: web worker processes share the grid's scroll positions, row counts and table"
            " lists through DASH_APP_REDIS_URL (dash_app/data/shared.py); default: redis with"
            " DASH_APP_BACKGROUND=celery, else local"
        ),
    )
    url_prefix: str = Field(
        "/", json_schema_extra=_allowed("a URL path such as / or /dashboard/")
    )
    max_upload_mb: int = Field(
        25, ge=1, le=1024, json_schema_extra=_allowed("an integer from 1 to 1024 (megabytes)")
    )
    max_concurrent_jobs: int = Field(
        1, ge=1, le=64, json_schema_extra=_allowed("an integer from 1 to 64")
    )
    editable_tables: dict[str, list[str]] = Field(
        default_factory=dict,
        json_schema_extra=_allowed(
            'a JSON object of database name -> list of table names whose cells may be edited,'
            ' e.g. {"demo": ["products"]}; every other table is read-only'
        ),
    )
    database_roles: dict[str, DatabaseRoles] = Field(
        default_factory=dict,
        json_schema_extra=_allowed(
            'a JSON object of database name -> {"roles": [...], "tables": {table: [...]}, "actions": {action: [...]}},'
            ' e.g. {"sales": {"roles": ["analyst"], "tables": {"salaries": ["hr"]}, "actions": {"export": ["lead"]}}};'
            " each list narrows who may use it (actions: " + ", ".join(DATABASE_ACTIONS) + "); admins may use"
            " everything; a database not named is open to every user"
        ),
    )
    query_timeout_s: float = Field(
        15.0, ge=0.1, le=3600, json_schema_extra=_allowed("seconds from 0.1 to 3600 (a slower query is stopped)")
    )
    max_canvas_side: int = Field(
        8192, ge=256, le=16384, json_schema_extra=_allowed("an integer from 256 to 16384 (pixels)")
    )
    max_image_pixels: int = Field(
        50_000_000, ge=1_000_000, le=500_000_000,
        json_schema_extra=_allowed("an integer from 1000000 to 500000000 (pixels of one uploaded image)"),
    )
    admin_role: str = Field(
        "admin", min_length=1, max_length=64,
        json_schema_extra=_allowed(
            "a role name of 1 to 64 characters; users with this role (as the host says) may see and do everything"
        ),
    )
    share_runs: bool = Field(
        True,
        json_schema_extra=_allowed(
            "true or false; true: every signed-in user may see every run (read-only); false: only its owner"
            " and admins. Cancel stays with the owner and admins either way"
        ),
    )
    heartbeat_timeout_s: float = Field(
        20.0, ge=1, le=3600,
        json_schema_extra=_allowed(
            "seconds from 1 to 3600: a running training run whose job has given no sign of life for this long"
            " is marked interrupted (its worker died); jobs beat 4 times per timeout"
        ),
    )
    max_active_runs_per_user: int = Field(
        10, ge=1, le=1000,
        json_schema_extra=_allowed("an integer from 1 to 1000 (training runs one user may have queued or running)"),
    )
    uploads_per_minute: int = Field(
        120, ge=1, le=10_000,
        json_schema_extra=_allowed("an integer from 1 to 10000 (Compose uploads one user may send in a minute)"),
    )
    upload_quota_mb: int = Field(
        2048, ge=1, le=10_000_000,
        json_schema_extra=_allowed("an integer from 1 to 10000000 (megabytes of uploaded images one user may keep)"),
    )
    max_exports_per_user: int = Field(
        2, ge=1, le=64,
        json_schema_extra=_allowed("an integer from 1 to 64 (exports one user may have in progress at once,"
                                   " Data's CSV and Excel and Compose's; counted per server process)"),
    )
    hold_runs: bool = Field(
        False,
        json_schema_extra=_allowed(
            "true or false; for tests only: each training run waits before its epoch N+1 until the file"
            " <data dir>/holds/<run id> holds a number of at least N"
        ),
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        json_schema_extra=_allowed(
            "'text' or 'json': how python -m dash_app, dash_app.wsgi and dash_app.worker write log lines when the"
            " host has configured no logging (json: one object per line, with each line's fields)"
        ),
    )
    demo_rows: int = Field(
        DEFAULT_ORDER_LINES, ge=1_000, le=100_000_000,
        json_schema_extra=_allowed("an integer from 1000 to 100000000 (order-line rows)"),
    )

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        if not str(value).strip():
            msg = "must not be empty"
            raise ValueError(msg)
        return value.expanduser().resolve()

    @field_validator("admin_role")
    @classmethod
    def _admin_role_named(cls, value: str) -> str:
        if value != value.strip() or not value:
            msg = "must not be empty or start or end with spaces"
            raise ValueError(msg)
        return value

    @field_validator("url_prefix")
    @classmethod
    def _normalised_prefix(cls, value: str) -> str:
        prefix = "/" + value.strip().strip("/") + "/" if value.strip("/ ") else "/"
        if not _PREFIX_PATTERN.match(prefix):
            msg = "must be a URL path (no . or .. segments) of letters, digits, '.', '_', '~', '-' separated by '/'"
            raise ValueError(msg)
        return prefix

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://")):
            msg = "must start with redis:// or rediss://"
            raise ValueError(msg)
        return value

    @field_validator("store_url")
    @classmethod
    def _store_url_parses(cls, value: str | None) -> str | None:
        return None if value is None else _checked_database_url(value)

    @field_validator("databases")
    @classmethod
    def _databases_parse(cls, value: dict[str, str]) -> dict[str, str]:
        for name, url in value.items():
            if not _NAME_PATTERN.match(name):
                msg = f"database name {name!r} must be 1-64 letters, digits, '_' or '-'"
                raise ValueError(msg)
            _checked_database_url(url, label=name)
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        """Default the databases to the demo SQLite file and the store to SQLite in the data directory.

        The model is frozen; these defaults depend on the validated data_dir, so they are set once, here.
        """
        if not self.databases:
            object.__setattr__(self, "databases", {DEMO_DATABASE_NAME: f"sqlite:///{self.demo_database_path}"})
        if self.store_url is None:
            object.__setattr__(self, "store_url", f"sqlite:///{self.data_dir / 'store.sqlite'}")
        for field in ("editable_tables", "database_roles"):
            unknown = sorted(set(getattr(self, field)) - set(self.databases))
            if unknown:
                msg = f"{field}: names databases that are not configured: {', '.join(unknown)}"
                raise ValueError(msg)
        return self

    @property
    def demo_database_path(self) -> Path:
        """Where the demo database lives (built on first start)."""
        return self.data_dir / DEMO_DATABASE_FILE

    @property
    def uses_demo_database(self) -> bool:
        """Whether the demo database is among the databases to browse."""
        return self.databases.get(DEMO_DATABASE_NAME) == f"sqlite:///{self.demo_database_path}"

    @property
    def shared_cache_url(self) -> str | None:
        """The Redis URL web worker processes share their caches through (DASH_APP_SHARED_CACHE), else None."""
        mode = self.shared_cache or ("redis" if self.background == "celery" else "local")
        return self.redis_url if mode == "redis" else None

    @property
    def cache_dir(self) -> Path:
        """Diskcache directory of the background callback manager."""
        return self.data_dir / "cache"

    @property
    def holds_dir(self) -> Path:
        """Where tests release held runs (``hold_runs``): one file per run, holding the epochs it may finish."""
        return self.data_dir / "holds"

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return self.max_upload_mb * 1024 * 1024


def _checked_database_url(url: str, label: str | None = None) -> str:
    where = f"database {label!r}: " if label else ""
    try:
        parsed = make_url(url)
    except ArgumentError:
        msg = f"{where}the value is not a SQLAlchemy URL"
        raise ValueError(msg) from None
    if parsed.get_backend_name() not in SUPPORTED_DIALECTS:
        msg = f"{where}dialect {parsed.get_backend_name()!r} is not one of {', '.join(SUPPORTED_DIALECTS)}"
        raise ValueError(msg)
    return url


def unknown_variables() -> list[str]:
    """DASH_APP_* variables in the environment that no setting reads (most likely typos)."""
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields} | DASH_OWN_VARIABLES
    return sorted(name for name in os.environ if name.startswith(ENV_PREFIX) and name not in known)


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment; keyword overrides (from the command line or a host) win."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None
    except PydanticSettingsError as error:
        raise SettingsError(_describe_parse_error(error)) from None


def _describe(error: ValidationError) -> str:
    """One line naming each bad variable, its value and what is allowed."""
    problems = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        reason = str(item["msg"]).removeprefix("Value error, ")
        value = json.dumps(_redacted(item["input"]), default=str) if "input" in item else "?"
        named, _, rest = reason.partition(": ")
        if not field and named in Settings.model_fields:  # a check across fields names the one it blames
            field, reason = named, rest
            given = item["input"]
            given = given.get(named, given) if isinstance(given, dict) else getattr(given, named, given)
            value = json.dumps(_redacted(given), default=str)
        variable = ENV_PREFIX + field.upper() if field else "settings"
        info = Settings.model_fields.get(field)
        allowed = (info.json_schema_extra or {}).get("allowed") if info else None
        line = f"{variable}={value} is invalid: {reason}"
        problems.append(f"{line} (allowed: {allowed})" if allowed else line)
    return "Invalid setting: " + "; ".join(problems)


def redacted_url(url: str) -> str:
    """The URL with its password replaced by ***, for messages and logs; a URL that does not parse hides all."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url.split("://", 1)[0] + "://***"


def _redacted(value: Any) -> Any:
    """The value with the password of every URL in it replaced by ***."""
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, str) and "://" in value:
        return redacted_url(value)
    return value


def _describe_parse_error(error: PydanticSettingsError) -> str:
    match = re.search(r'field "(\w+)"', str(error))
    field = match.group(1) if match else ""
    info = Settings.model_fields.get(field)
    allowed = (info.json_schema_extra or {}).get("allowed") if info else "valid JSON"
    variable = ENV_PREFIX + field.upper() if field else "a DASH_APP_* variable"
    return f"Invalid setting: {variable} could not be parsed (allowed: {allowed})"
