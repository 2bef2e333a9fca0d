"""Tables of the run store, on a MetaData of their own with names prefixed ``train_``.

The store database is shared with other parts of the product (the Data page keeps its audit table
there), so these tables never collide with theirs and ``create_all`` touches only ours. Times are
Unix seconds in double precision: portable across SQLite, PostgreSQL and MariaDB and exact for durations
(a plain ``Float`` is single precision on MariaDB, about two minutes' resolution at today's dates).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean, Column, Double, ForeignKey, Integer, MetaData, String, Table, Text,
)

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
    # Added after the first release: RunStore.create_tables adds it to an existing store (store.py).
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
