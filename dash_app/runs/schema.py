"""Tables of the run store, on a MetaData of their own with names prefixed ``train_``.

The store database is shared with other parts of the product (the Data page keeps its audit table
there), so these tables never collide with theirs and ``create_all`` touches only ours. Times are
Unix seconds in double precision: portable across SQLite, PostgreSQL and MariaDB and exact for durations
(a plain ``Float`` is single precision on MariaDB, about two minutes' resolution at today's dates).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean, Column, Double, Engine, ForeignKey, Integer, MetaData, String, Table, Text, insert, inspect, select,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.schema import CreateColumn

metadata = MetaData()

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, INTERRUPTED = (
    "queued", "running", "succeeded", "failed", "cancelled", "interrupted",
)
STATUSES = (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, INTERRUPTED)
ACTIVE = (QUEUED, RUNNING)

runs = Table(
    "train_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("config", Text, nullable=False),  # JSON of jobs.config.TrainConfig
    Column("summary", String(300), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("error", Text),
    Column("user_name", String(200)),  # the owner's display name when the run was started: a label only
    # Who owns the run: the host's stable user id (dash_app/identity.py); NULL for standalone runs and runs
    # from before owners were recorded, which only admins (and the standalone user) may cancel.
    # Added after the first release: create_or_upgrade adds it to an existing store.
    Column("owner_id", String(200)),
    Column("device", String(16)),
    Column("backend", String(16), nullable=False),  # diskcache or celery: who owns the job process
    Column("host", String(255)),  # where the job process runs, so only that machine kills it
    Column("pid", Integer),
    Column("pid_started", Double),  # the process' start time, so a reused pid is never killed
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("progress", Text),  # JSON snapshot of the latest jobs.train.Progress
    Column("created_at", Double, nullable=False),
    Column("started_at", Double),
    Column("finished_at", Double),
    Column("heartbeat_at", Double),  # written by the job's heartbeat; a stale one means its worker died
    # 1, then one more each time the run is resumed (dash_app/runs/control.py resume_run): the run keeps its id.
    Column("attempt", Integer, nullable=False, default=1, server_default="1"),
    # The Celery task of the current attempt (DASH_APP_BACKGROUND=celery), so Cancel can revoke it on any worker.
    Column("task_id", String(255)),
)

metrics = Table(
    "train_metrics", metadata,
    Column("run_id", Integer, ForeignKey("train_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("epoch", Integer, primary_key=True),
    Column("values", Text, nullable=False),  # JSON: train_loss, val_loss, accuracies or RMSE
)

artifacts = Table(
    "train_artifacts", metadata,
    Column("run_id", Integer, ForeignKey("train_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(100), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("size_bytes", Integer, nullable=False),
)

# One row, updated at the start of every queue decision: it serialises slot claims across processes
# on every engine (a row lock on PostgreSQL and MariaDB, the write lock on SQLite).
queue_lock = Table(
    "train_queue_lock", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
)


def create_or_upgrade(engine: Engine) -> None:
    """Create the tables that are missing, bring those an earlier version made up to date, and make sure the
    queue lock's row exists; safe when several processes start on one store at the same moment."""
    metadata.create_all(engine)
    _add_missing_columns(engine)
    _widen_single_precision_times(engine)
    try:
        with engine.begin() as connection:
            if connection.execute(select(queue_lock.c.id)).first() is None:
                connection.execute(insert(queue_lock).values(id=1, version=0))
    except IntegrityError:  # another process inserted the row first: that is all we wanted
        pass


def _add_missing_columns(engine: Engine) -> None:
    """Add the columns a store made by an earlier version lacks (``create_all`` only makes missing tables).

    Only nullable columns or columns with a server default are ever added to these tables, so old rows
    stay valid. Another process adding the same column at the same moment is not an error.
    """
    for table in metadata.sorted_tables:
        with engine.begin() as connection:
            present = {column["name"] for column in inspect(connection).get_columns(table.name)}
            missing = [column for column in table.columns if column.name not in present]
        for column in missing:
            ddl = CreateColumn(column).compile(dialect=engine.dialect)
            try:
                with engine.begin() as connection:
                    connection.exec_driver_sql(f"ALTER TABLE {engine.dialect.identifier_preparer.format_table(table)}"
                                               f" ADD COLUMN {ddl}")
            except DBAPIError:  # another process added it first: fine if it is there now
                with engine.connect() as connection:
                    if column.name not in {c["name"] for c in inspect(connection).get_columns(table.name)}:
                        raise


def _widen_single_precision_times(engine: Engine) -> None:
    """Make times that an earlier version stored as MariaDB's single-precision FLOAT double precision.

    Single precision holds today's Unix seconds only to about two minutes, which made fresh heartbeats
    look stale and process start times inexact; values already rounded stay as they are.
    """
    if engine.dialect.name != "mysql":
        return
    table = runs
    with engine.connect() as connection:
        narrow = [column["name"] for column in inspect(connection).get_columns(table.name)
                  if isinstance(column["type"], mysql.FLOAT) and isinstance(table.c[column["name"]].type, Double)]
    if narrow:
        changes = ", ".join(f"MODIFY COLUMN {CreateColumn(table.c[name]).compile(dialect=engine.dialect)}"
                            for name in narrow)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"ALTER TABLE {engine.dialect.identifier_preparer.format_table(table)} {changes}")
