"""What ``<prefix>health`` checks: the store, the broker, the Celery workers and each configured database.

Every check runs in a thread of its own and the answer waits at most ``HEALTH_TIMEOUT_S`` for all of
them together: a service that hangs is reported as ``"timeout"`` instead of holding the load balancer's
request (the thread ends with its own connect timeout, dash_app/runs/store.py and dash_app/data/engines.py).
The answer names only the checks and says up, down or timeout: no URL, host or error text (those go
to the log, logger ``dash_app.health``), since a load balancer calls it without a session.

With Celery, the workers' answer is also their settings fingerprint (dash_app/fingerprint.py): a worker
started with other shared settings (another store, another data directory) is reported under
``"settings"`` with the names of the settings that differ.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

log = logging.getLogger(__name__)
HEALTH_TIMEOUT_S = 3.0
WORKERS_TIMEOUT_S = 2.0  # a worker busy starting (connecting, its pool importing torch) answers late
UP, DOWN, TIMEOUT, DEGRADED = "up", "down", "timeout", "degraded"


class CheckFailed(RuntimeError):
    """A check found its service down; the message is for the log only."""


def check(workbench: Any, timeout_s: float = HEALTH_TIMEOUT_S) -> tuple[bool, dict[str, Any]]:
    """Run every check of ``workbench`` at once; return (serving: the app's own services are up, the JSON body)."""
    settings = workbench.settings
    checks: dict[str, Callable[[], Any]] = {"store": lambda: _store(workbench)}
    if settings.background == "celery":
        checks["broker"] = lambda: _broker(settings)
        checks["workers"] = lambda: _workers(workbench)
    for name in settings.databases:
        checks[f"databases.{name}"] = lambda name=name: _database(workbench, name)
    results = _run_all(checks, timeout_s)
    body: dict[str, Any] = {"checks": {}}
    down = []
    for name, (status, detail) in results.items():
        group, _, item = name.partition(".")
        if item:
            body["checks"].setdefault(group, {})[item] = status
        else:
            body["checks"][name] = status
        if status != UP:
            down.append(name)
        if name == "workers" and status == UP:
            body["workers"] = detail["count"]
            if detail["differing"]:
                body["checks"]["settings"] = DOWN
                body["settings_differ"] = detail["differing"]
                down.append("settings")
            else:
                body["checks"]["settings"] = UP
    # A browsed database that is down is every web process's problem alike: taking this one out of the load
    # balancer's rotation would not help, and Training and Compose still work. It is reported ("degraded"),
    # while the app's own services (store, broker, workers, settings) decide between 200 and 503.
    serving = all(name.startswith("databases.") for name in down)
    body["status"] = UP if not down else DEGRADED if serving else DOWN
    body["down"] = down
    return serving, body


def _run_all(checks: dict[str, Callable[[], Any]], timeout_s: float) -> dict[str, tuple[str, Any]]:
    results: dict[str, tuple[str, Any]] = {}
    lock = threading.Lock()

    def run(name: str, work: Callable[[], Any]) -> None:
        try:
            outcome = (UP, work())
        except Exception as error:  # noqa: BLE001 - any failure of a check means its service is down
            log.warning("health: %s is down (%s)", name, _reason(error), extra={"check": name})
            outcome = (DOWN, None)
        with lock:
            results[name] = outcome

    threads = [threading.Thread(target=run, args=item, name=f"health-{item[0]}", daemon=True)
               for item in checks.items()]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout_s
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    with lock:
        for name in checks:
            if name not in results:
                log.warning("health: %s did not answer within %.1f s", name, timeout_s, extra={"check": name})
                results[name] = (TIMEOUT, None)
        return {name: results[name] for name in checks}


def _reason(error: BaseException) -> str:
    from dash_app.data.engines import error_reason

    return error_reason(error)


def _store(workbench: Any) -> None:
    with workbench.runs.engine.connect() as connection:
        connection.execute(text("select 1")).scalar_one()


def _database(workbench: Any, name: str) -> None:
    with workbench.data.engine(name).connect() as connection:
        connection.execute(text("select 1")).scalar_one()


def _broker(settings: Any) -> None:
    from dash_app.background import redis_client

    client = redis_client(settings.redis_url)
    try:
        client.ping()
        from dash_app import fingerprint

        fingerprint.publish(client, settings)  # kept fresh for the workers that start later
    finally:
        client.close()


def _workers(workbench: Any) -> dict[str, Any]:
    """The live workers (at least one must answer) and the settings in which any of them differs from ours."""
    from dash_app import fingerprint

    celery_app = workbench.launcher.task.app
    answers = fingerprint.worker_fingerprints(celery_app, WORKERS_TIMEOUT_S)
    if not answers:
        msg = "no Celery worker answered"
        raise CheckFailed(msg)
    mine = fingerprint.fingerprint(workbench.settings)
    differing = sorted({name for theirs in answers.values() for name in fingerprint.differing(mine, theirs)})
    if differing:
        log.warning("health: Celery workers run with other settings: %s", ", ".join(differing),
                    extra={"check": "settings", "differing": differing})
    return {"count": len(answers), "differing": differing}
