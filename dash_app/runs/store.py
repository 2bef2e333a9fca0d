"""The run store: every run with its config, status, progress, metrics per epoch and artifacts.

It is the source of truth for the pages (a reloaded page or a second user reads it, not the browser
that started a job) and the channel between the web process and job processes: the job writes its
progress here, the page writes ``cancel_requested`` here. Writes from a job are conditional on the run
still being ``running``, so a run someone cancelled or interrupted is never overwritten by its job.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, exc, func, insert, select, update
from sqlalchemy.engine import make_url

from dash_app.runs import events, schema
from dash_app.runs.schema import ACTIVE, CANCELLED, INTERRUPTED, QUEUED, RUNNING

RESUMABLE = (CANCELLED, INTERRUPTED)

SQLITE_BUSY_TIMEOUT_S = 30
# A store that does not answer (stopped, unreachable) fails a page's request in seconds, and the page says so
# (callbacks/training_support.py store_unavailable); pool_pre_ping replaces connections that a restart broke.
STORE_CONNECT_TIMEOUT_S = 5
CLAIMED, WAITING, GONE = "claimed", "waiting", "gone"
SERVER_STOPPED = "The server stopped while this run was queued or running."
PROCESS_DIED = "The job's process ended without finishing the run (killed or out of memory)."
HEARTBEAT_LOST = ("Its job gave no sign of life for {seconds:g} s: the worker was killed, ran out of memory"
                  " or lost its machine.")


class TooManyRuns(RuntimeError):
    """The user already has as many runs queued or running as one user may; the message is for the user."""

    def __init__(self, active: int, limit: int) -> None:
        super().__init__(f"you already have {active} runs queued or running, the most one user may have at once"
                         f" ({limit}): wait for one to finish, or cancel one")
        self.active, self.limit = active, limit


@dataclass(frozen=True)
class ProcessRef:
    """A job process, named so that only its own machine kills it and a reused pid is never mistaken for it."""

    host: str
    pid: int
    started: float


@dataclass(frozen=True)
class Run:
    """One run as the pages show it."""

    id: int
    config: dict[str, Any]
    summary: str
    status: str
    error: str | None
    user: str | None  # the owner's display name at start: a label only
    device: str | None
    backend: str
    host: str | None
    pid: int | None
    pid_started: float | None
    cancel_requested: bool
    progress: dict[str, Any] | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    queue_position: int | None = None  # 1 for the next run to start; None unless queued
    owner: str | None = None  # the owner's stable user id (None: standalone, or from before owners were kept)
    attempt: int = 1  # 2 and more once resumed (the run keeps its id)
    heartbeat_at: float | None = None  # the job's last sign of life
    task_id: str | None = None  # its Celery task (celery mode), for Cancel's revoke

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_classifier(self) -> bool:
        """Whether the run classifies (accuracy) rather than regresses a Table target (RMSE)."""
        return self.config.get("dataset") != "table" or self.config.get("task") == "classification"

    @property
    def process(self) -> ProcessRef | None:
        if self.host is None or self.pid is None:
            return None
        return ProcessRef(self.host, self.pid, self.pid_started or 0.0)

    def duration(self, now: float | None = None) -> float | None:
        """Seconds it ran (so far, when still running)."""
        if self.started_at is None:
            return None
        return (self.finished_at or now or time.time()) - self.started_at


def open_store(url: str) -> RunStore:
    """Connect to the store at ``url``, its tables created or brought up to date (schema.py)."""
    engine = _engine(url)
    schema.create_or_upgrade(engine)
    return RunStore(engine)


def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":  # keepalives: a server gone mid-query is noticed in seconds
        return create_engine(url, pool_pre_ping=True, connect_args={
            "connect_timeout": STORE_CONNECT_TIMEOUT_S, "keepalives": 1, "keepalives_idle": 5,
            "keepalives_interval": 2, "keepalives_count": 3})
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": STORE_CONNECT_TIMEOUT_S})
    if parsed.database and parsed.database != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(parsed.database)), exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        # WAL: the page reads while a job writes, from other processes, without "database is locked".
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


class RunStore:
    """Runs on one SQLAlchemy engine; safe to use from several processes at once."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # When this process last found the store not answering (0: never). No job could beat its heartbeat
        # then either, so silence is counted from the later of the two (dash_app/runs/control.py ``reap``).
        self.unanswered_at = 0.0
        event.listen(engine, "handle_error", self._note_unanswered)

    def _note_unanswered(self, context) -> None:
        if context.is_disconnect or isinstance(context.sqlalchemy_exception, exc.OperationalError):
            self.unanswered_at = time.time()

    def dispose(self) -> None:
        self.engine.dispose()

    # -- creating and reading -------------------------------------------------------------------------

    def create_run(self, config: Mapping[str, Any], summary: str, *, user: str | None, backend: str,
                   owner: str | None = None, max_active: int | None = None) -> int:
        """Add a queued run of ``owner`` (a stable user id; ``user`` is the display name) and return its id.

        With ``max_active``, TooManyRuns when the owner already has that many runs queued or running: counted
        and inserted under the queue's lock row, so two Starts at once in two processes cannot both pass.
        """
        with self.engine.begin() as connection:
            _check_active(connection, owner, max_active)
            result = connection.execute(insert(schema.runs).values(
                config=json.dumps(config), summary=summary[:300], status=QUEUED, user_name=user, backend=backend,
                owner_id=owner, cancel_requested=False, created_at=time.time(),
            ))
            run_id = int(result.inserted_primary_key[0])
        events.run_event("queued", run_id, 1, owner, backend=backend)
        return run_id

    def get(self, run_id: int) -> Run | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(schema.runs).where(schema.runs.c.id == run_id)).mappings().first()
            if row is None:
                return None
            position = self._queue_position(connection, row) if row["status"] == QUEUED else None
        return _run(row, position)

    def list_runs(self, *, limit: int = 1000, active_only: bool = False, owner: str | None = None) -> list[Run]:
        """Newest first (only ``owner``'s when given); queued runs carry their position in the whole queue."""
        runs = schema.runs
        query = select(runs).order_by(runs.c.id.desc()).limit(limit)
        if active_only:
            query = query.where(runs.c.status.in_(ACTIVE))
        if owner is not None:
            query = query.where(runs.c.owner_id == owner)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
            if owner is None:
                queued = sorted(row["id"] for row in rows if row["status"] == QUEUED)
            else:  # the queue is everyone's: count the runs of others waiting ahead too
                queued = list(connection.execute(select(runs.c.id).where(runs.c.status == QUEUED)
                                                 .order_by(runs.c.id)).scalars())
        positions = {run_id: index + 1 for index, run_id in enumerate(queued)}
        return [_run(row, positions.get(row["id"])) for row in rows]

    def get_many(self, run_ids: Iterable[int]) -> list[Run]:
        """The runs with these ids that exist, in the order asked."""
        wanted = list(dict.fromkeys(run_ids))
        with self.engine.connect() as connection:
            rows = connection.execute(select(schema.runs).where(schema.runs.c.id.in_(wanted))).mappings().all()
        by_id = {row["id"]: _run(row, None) for row in rows}
        return [by_id[run_id] for run_id in wanted if run_id in by_id]

    def metrics(self, run_ids: Iterable[int]) -> dict[int, list[dict[str, float]]]:
        """Per-epoch metrics of each run, in epoch order."""
        wanted = list(run_ids)
        table = schema.metrics
        query = select(table).where(table.c.run_id.in_(wanted)).order_by(table.c.run_id, table.c.epoch)
        history: dict[int, list[dict[str, float]]] = {run_id: [] for run_id in wanted}
        with self.engine.connect() as connection:
            for row in connection.execute(query).mappings():
                history[row["run_id"]].append({"epoch": row["epoch"], **json.loads(row["values"])})
        return history

    def artifacts(self, run_id: int) -> list[str]:
        """Names of the run's artifacts, in display order."""
        table = schema.artifacts
        query = select(table.c.name).where(table.c.run_id == run_id).order_by(table.c.position)
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def has_artifact(self, run_id: int, name: str) -> bool:
        table = schema.artifacts
        query = select(table.c.name).where(table.c.run_id == run_id, table.c.name == name)
        with self.engine.connect() as connection:
            return connection.execute(query).first() is not None

    def _queue_position(self, connection, row) -> int:
        runs = schema.runs
        ahead = select(func.count()).where(runs.c.status == QUEUED, runs.c.id < row["id"])
        return int(connection.execute(ahead).scalar_one()) + 1

    # -- the queue ------------------------------------------------------------------------------------

    def claim_slot(self, run_id: int, max_running: int, process: ProcessRef, attempt: int | None = None, *,
                   waits_here: bool = True) -> str:
        """Start the run if it is first in the queue and a slot is free: CLAIMED, WAITING, or GONE.

        First in the queue means the lowest id of the queued runs of its backend: the place the pages show is
        the order runs start in, with Celery too, where the broker only delivers the tasks (a queued run whose
        task was lost holds the ones behind it only until its task is sent again, dash_app/runs/control.py
        ``LostTasks``). ``waits_here``: the caller waits in its process and asks again, so a waiting run records
        it (the tests' jobs); a Celery task (False) goes back to the broker instead, and WAITING writes nothing.

        GONE means the run is no longer queued (cancelled or interrupted while it waited), or, with
        ``attempt``, that it is queued for another attempt (a resumed run): a task for an earlier attempt,
        delivered late or twice by the broker, never runs it.
        """
        runs = schema.runs
        now = time.time()
        with self.engine.begin() as connection:
            connection.execute(update(schema.queue_lock).values(version=schema.queue_lock.c.version + 1))
            row = connection.execute(select(runs.c.status, runs.c.attempt, runs.c.owner_id, runs.c.backend)
                                     .where(runs.c.id == run_id)).first()
            if row is None or row.status != QUEUED or (attempt is not None and row.attempt != attempt):
                return GONE
            running = connection.execute(select(func.count()).where(runs.c.status == RUNNING)).scalar_one()
            first = connection.execute(select(func.min(runs.c.id))
                                       .where(runs.c.status == QUEUED, runs.c.backend == row.backend)).scalar_one()
            values: dict[str, Any] = {"heartbeat_at": now, "host": process.host, "pid": process.pid,
                                      "pid_started": process.started}
            claimed = running < max_running and first == run_id
            if claimed:
                values |= {"status": RUNNING, "started_at": now}
            if claimed or waits_here:
                connection.execute(update(runs).where(runs.c.id == run_id).values(**values))
        if claimed:
            events.run_event("started", run_id, row.attempt, row.owner_id, host=process.host, pid=process.pid)
        return CLAIMED if claimed else WAITING

    def claim_next(self, max_running: int, backend: str) -> tuple[int, int] | None:
        """Start the first queued run of ``backend`` if a slot is free; return its (id, attempt), else None.

        The dispatcher's claim (dash_app/runs/launch.py): decided under the queue lock and conditional on
        the run still being queued, so two web processes never start the same run and the number running
        never exceeds ``max_running``. The run is "running" from here; its process is recorded when it
        has one (:meth:`set_process`), and its heartbeat starts now, so a job that never starts is noticed.
        """
        runs = schema.runs
        now = time.time()
        with self.engine.begin() as connection:
            connection.execute(update(schema.queue_lock).values(version=schema.queue_lock.c.version + 1))
            running = connection.execute(select(func.count()).where(runs.c.status == RUNNING)).scalar_one()
            if running >= max_running:
                return None
            first = connection.execute(
                select(runs.c.id, runs.c.attempt, runs.c.owner_id).where(runs.c.status == QUEUED, runs.c.backend == backend)
                .order_by(runs.c.id).limit(1)
            ).first()
            if first is None:
                return None
            claimed = connection.execute(
                update(runs).where(runs.c.id == first.id, runs.c.status == QUEUED)
                .values(status=RUNNING, started_at=now, heartbeat_at=now, host=None, pid=None, pid_started=None)
            )
        if claimed.rowcount != 1:
            return None
        events.run_event("started", int(first.id), int(first.attempt), first.owner_id)
        return int(first.id), int(first.attempt)

    def has_queued(self, backend: str) -> bool:
        """Whether any run of ``backend`` waits in the queue (a cheap read before a claim)."""
        runs = schema.runs
        query = select(runs.c.id).where(runs.c.status == QUEUED, runs.c.backend == backend).limit(1)
        with self.engine.connect() as connection:
            return connection.execute(query).first() is not None

    def set_task(self, run_id: int, task_id: str) -> None:
        """Record the Celery task that carries the run's current attempt (Cancel revokes it)."""
        runs = schema.runs
        with self.engine.begin() as connection:
            connection.execute(update(runs).where(runs.c.id == run_id).values(task_id=task_id))

    def set_process(self, run_id: int, process: ProcessRef) -> bool:
        """Record the process that runs a claimed run (so Cancel can stop it); False if it is no longer running."""
        runs = schema.runs
        with self.engine.begin() as connection:
            result = connection.execute(
                update(runs).where(runs.c.id == run_id, runs.c.status == RUNNING)
                .values(host=process.host, pid=process.pid, pid_started=process.started)
            )
        return result.rowcount == 1

    # -- written by the job ---------------------------------------------------------------------------

    def beat(self, run_id: int) -> bool:
        """The job's heartbeat: it is alive. False when the run is no longer running (the job should stop)."""
        runs = schema.runs
        with self.engine.begin() as connection:
            result = connection.execute(
                update(runs).where(runs.c.id == run_id, runs.c.status == RUNNING).values(heartbeat_at=time.time())
            )
        return result.rowcount == 1

    def record_progress(self, run_id: int, progress: Mapping[str, Any], epochs: Iterable[Mapping[str, float]] = (),
                        device: str | None = None) -> bool:
        """Save a progress snapshot and finished epochs; False when the run is no longer running."""
        runs = schema.runs
        values: dict[str, Any] = {"progress": json.dumps(_finite(progress)), "heartbeat_at": time.time()}
        if device:
            values["device"] = device
        with self.engine.begin() as connection:
            result = connection.execute(
                update(runs).where(runs.c.id == run_id, runs.c.status == RUNNING).values(**values)
            )
            if result.rowcount == 0:
                return False
            rows = [{"run_id": run_id, "epoch": int(row["epoch"]),
                     "values": json.dumps(_finite({k: v for k, v in row.items() if k != "epoch"}))} for row in epochs]
            if rows:  # a resumed attempt sends its checkpoint's epochs again: they replace what is there
                table = schema.metrics
                connection.execute(delete(table).where(table.c.run_id == run_id,
                                                       table.c.epoch.in_([row["epoch"] for row in rows])))
                connection.execute(insert(table), rows)
        if rows and events.enabled():
            self._log_milestone(run_id, [row["epoch"] for row in rows], progress.get("epochs"))
        return True

    def _log_milestone(self, run_id: int, finished: list[int], epochs: object) -> None:
        """A progress line when a finished epoch reaches a quarter of the run's epochs (dash_app/runs/events.py)."""
        if not isinstance(epochs, int):
            return
        reached = [quarter for epoch in finished if (quarter := events.progress_milestone(epoch, epochs))]
        if reached:
            row = self._owner_and_attempt(run_id)
            if row is not None:
                events.run_event("progress", run_id, row.attempt, row.owner_id, epoch=max(finished), epochs=epochs)

    def _owner_and_attempt(self, run_id: int):
        runs = schema.runs
        with self.engine.connect() as connection:
            return connection.execute(select(runs.c.owner_id, runs.c.attempt).where(runs.c.id == run_id)).first()

    def finish(self, run_id: int, status: str, *, error: str | None = None,
               artifacts: Iterable[tuple[str, int]] = (), from_statuses: tuple[str, ...] = (RUNNING,)) -> bool:
        """End the run with ``status`` if it is still in one of ``from_statuses``; record its artifacts."""
        runs = schema.runs
        with self.engine.begin() as connection:
            result = connection.execute(
                update(runs).where(runs.c.id == run_id, runs.c.status.in_(from_statuses))
                .values(status=status, error=error, finished_at=time.time())
            )
            if result.rowcount == 0:
                return False
            rows = [{"run_id": run_id, "name": name, "position": position, "size_bytes": size}
                    for position, (name, size) in enumerate(artifacts)]
            if rows:
                connection.execute(insert(schema.artifacts), rows)
            ended = (connection.execute(select(runs.c.owner_id, runs.c.attempt).where(runs.c.id == run_id)).first()
                     if events.enabled() else None)
        if ended is not None:
            events.run_event(status, run_id, ended.attempt, ended.owner_id, error=error)
        return True

    def cancel_requested(self, run_id: int) -> bool:
        """Whether the job should stop: a cancel was asked for, or the run is no longer running."""
        runs = schema.runs
        query = select(runs.c.status, runs.c.cancel_requested).where(runs.c.id == run_id)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return row is None or row.status != RUNNING or bool(row.cancel_requested)

    # -- written by the pages and start-up -------------------------------------------------------------

    def request_cancel(self, run_id: int) -> Run | None:
        """Cancel a queued run at once; flag a running one so its job stops. Return the run as it now is."""
        runs = schema.runs
        with self.engine.begin() as connection:
            dropped = connection.execute(
                update(runs).where(runs.c.id == run_id, runs.c.status == QUEUED)
                .values(status=CANCELLED, cancel_requested=True, finished_at=time.time())
            ).rowcount
            flagged = connection.execute(
                update(runs).where(runs.c.id == run_id, runs.c.status == RUNNING).values(cancel_requested=True)
            ).rowcount
        run = self.get(run_id)
        if run is not None and (dropped or flagged):
            events.run_event("cancelled" if dropped else "cancel_requested", run.id, run.attempt, run.owner)
        return run

    def mark_interrupted(self, run_ids: Iterable[int] | None = None, *, reason: str = SERVER_STOPPED,
                         attempt: int | None = None) -> list[Run]:
        """End queued and running runs (all, or those given) whose job is gone; return them as they were.

        Such a run is interrupted with ``reason``, or cancelled if a cancel had been asked for (a job
        killed by its cancel ends here too, whoever notices first). With ``attempt``, only that attempt
        is ended: a run resumed meanwhile is left alone.
        """
        runs = schema.runs
        condition = runs.c.status.in_(ACTIVE)
        if run_ids is not None:
            condition = condition & runs.c.id.in_(list(run_ids))
        if attempt is not None:
            condition = condition & (runs.c.attempt == attempt)
        with self.engine.begin() as connection:
            rows = connection.execute(select(runs).where(condition)).mappings().all()
            if rows:
                chosen = condition & runs.c.id.in_([row["id"] for row in rows])
                now = time.time()
                connection.execute(update(runs).where(chosen, runs.c.cancel_requested.is_(True))
                                   .values(status=CANCELLED, finished_at=now))
                connection.execute(update(runs).where(chosen, runs.c.cancel_requested.is_not(True))
                                   .values(status=INTERRUPTED, finished_at=now, error=reason))
        ended = [_run(row, None) for row in rows]
        for run in ended:
            _log_end(run.id, run.attempt, run.owner, run.cancel_requested, reason)
        return ended

    def interrupt_silent(self, run_ids: Iterable[int], timeout_s: float) -> list[int]:
        """Interrupt those of the runs whose job has not beaten its heartbeat for ``timeout_s``; their ids.

        Conditional on the heartbeat still being that old, so a job that has just beaten (or a run
        resumed meanwhile, which starts a fresh heartbeat) is left alone.
        """
        runs = schema.runs
        cutoff = time.time() - timeout_s
        silent = (runs.c.id.in_(list(run_ids)) & runs.c.status.in_(ACTIVE)
                  & runs.c.heartbeat_at.is_not(None) & (runs.c.heartbeat_at < cutoff))
        reason = HEARTBEAT_LOST.format(seconds=timeout_s)
        with self.engine.begin() as connection:
            found_rows = connection.execute(select(runs.c.id, runs.c.attempt, runs.c.owner_id, runs.c.cancel_requested)
                                            .where(silent)).all()
            found = [row.id for row in found_rows]
            if found:
                chosen = silent & runs.c.id.in_(found)
                now = time.time()
                connection.execute(update(runs).where(chosen, runs.c.cancel_requested.is_(True))
                                   .values(status=CANCELLED, finished_at=now))
                connection.execute(update(runs).where(chosen, runs.c.cancel_requested.is_not(True))
                                   .values(status=INTERRUPTED, finished_at=now, error=reason))
        for row in found_rows:
            _log_end(row.id, row.attempt, row.owner_id, bool(row.cancel_requested), reason)
        return found

    def resume(self, run_id: int, max_active: int | None = None) -> Run | None:
        """Queue a cancelled or interrupted run again as its next attempt; return it as it now is.

        The run keeps its id, settings, metrics and folder (its job continues from the last checkpoint,
        dash_app/runs/executor.py); a run in any other state is returned unchanged. It takes its old
        place in the queue (by id), ahead of runs started after it. With ``max_active``, TooManyRuns when its
        owner already has that many runs queued or running (as for :meth:`create_run`).
        """
        runs = schema.runs
        with self.engine.begin() as connection:
            if max_active is not None:
                owner = connection.execute(select(runs.c.owner_id).where(runs.c.id == run_id)).scalar()
                _check_active(connection, owner, max_active)
            resumed = connection.execute(
                update(runs).where(runs.c.id == run_id, runs.c.status.in_(RESUMABLE))
                .values(status=QUEUED, attempt=runs.c.attempt + 1, cancel_requested=False, error=None,
                        progress=None, finished_at=None, heartbeat_at=None, host=None, pid=None, pid_started=None)
            )
        run = self.get(run_id)
        if resumed.rowcount and run is not None:
            events.run_event("queued", run.id, run.attempt, run.owner, resumed=True)
        return run


def _log_end(run_id: int, attempt: int | None, owner: str | None, cancel_requested: bool, reason: str) -> None:
    """The event of a run ended by someone else than its job: cancelled if a cancel was asked for, else interrupted."""
    if cancel_requested:
        events.run_event("cancelled", run_id, attempt, owner)
    else:
        events.run_event("interrupted", run_id, attempt, owner, error=reason)


def _check_active(connection, owner: str | None, max_active: int | None) -> None:
    """TooManyRuns when ``owner`` has ``max_active`` runs queued or running; counted under the queue's lock row,
    so two requests at once in two processes cannot both pass (nothing is checked without ``max_active``)."""
    if max_active is None:
        return
    runs = schema.runs
    connection.execute(update(schema.queue_lock).values(version=schema.queue_lock.c.version + 1))
    mine = runs.c.owner_id.is_(None) if owner is None else runs.c.owner_id == owner
    active = connection.execute(select(func.count()).where(mine, runs.c.status.in_(ACTIVE))).scalar_one()
    if active >= max_active:
        raise TooManyRuns(active, max_active)


def _run(row: Mapping[str, Any], position: int | None) -> Run:
    return Run(
        id=row["id"], config=json.loads(row["config"]), summary=row["summary"], status=row["status"],
        error=row["error"], user=row["user_name"], device=row["device"], backend=row["backend"], host=row["host"],
        pid=row["pid"], pid_started=row["pid_started"], cancel_requested=bool(row["cancel_requested"]),
        progress=json.loads(row["progress"]) if row["progress"] else None, created_at=row["created_at"],
        started_at=row["started_at"], finished_at=row["finished_at"], queue_position=position,
        owner=row.get("owner_id"), attempt=row["attempt"] or 1, heartbeat_at=row["heartbeat_at"],
        task_id=row.get("task_id"),
    )


def _finite(values: Mapping[str, Any]) -> dict[str, Any]:
    """JSON has no NaN: a value that is not a finite number is stored as null."""
    return {key: _finite_value(value) for key, value in values.items()}


def _finite_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return _finite(value)
    return value


def current_process() -> ProcessRef:
    """This process, as a job records itself."""
    import socket

    import psutil

    return ProcessRef(socket.gethostname(), os.getpid(), psutil.Process().create_time())

