"""Structured log lines through Python ``logging``: one per product request, and a default handler for entry points.

Every line carries a readable message and its fields in ``extra``, so the host's logging configuration
(its handlers, a JSON formatter, a log shipper) takes them as they are. The library configures no
handler: only the product's own entry points (``python -m dash_app``, dash_app/wsgi.py, dash_app/worker.py)
call :func:`configure_default`, and only where the host has configured none, with
``DASH_APP_LOG_FORMAT=text|json`` (so does a diskcache job process, dash_app/runs/job.py, which imports no Flask).

Requests (logger ``dash_app.requests``): method, path, status, duration in ms and the user's id (the
host's, none standalone), for the endpoints ``init_app`` registered for the product only (the host's own
routes are the host's to log). ``/health`` is logged at DEBUG: a load balancer calls it every few seconds.
Job events: dash_app/runs/events.py.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from werkzeug.wrappers import Response

REQUESTS = "dash_app.requests"
# The attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def register(server: Flask, endpoints: Iterable[str], quiet: Iterable[str] = ()) -> None:
    """Log one line per request to ``endpoints`` (the product's) on ``server``; ``quiet`` ones at DEBUG.

    Through Flask's ``request_started`` and ``request_finished`` signals: the line has the status the client
    gets, after every ``after_request`` function, and a request refused by the login guard is logged too.
    """
    from flask import g, request, request_finished, request_started  # here: a job process imports no Flask

    product, quiet = frozenset(endpoints), frozenset(quiet)
    log = logging.getLogger(REQUESTS)

    def started(_sender, **_extra) -> None:
        if request.endpoint in product:
            g.dash_app_request_started = time.perf_counter()

    def finished(_sender, response: Response, **_extra) -> None:
        began = g.pop("dash_app_request_started", None)
        if began is None:
            return
        level = logging.DEBUG if request.endpoint in quiet else logging.INFO
        if log.isEnabledFor(level):
            duration_ms = round((time.perf_counter() - began) * 1000, 1)
            user_id = _user_id()
            log.log(level, "%s %s %s %.1f ms%s", request.method, request.path, response.status_code, duration_ms,
                    f" user {user_id}" if user_id else "",
                    extra={"event": "request", "method": request.method, "path": request.path,
                           "status": response.status_code, "duration_ms": duration_ms, "user_id": user_id})

    request_started.connect(started, server, weak=False)
    request_finished.connect(finished, server, weak=False)


def _user_id() -> str | None:
    from dash_app.auth import current_identity  # imported here: auth reaches the workbench

    try:
        return current_identity().id or None
    except Exception:  # noqa: BLE001 - a host's login that fails here must not cost the response its line
        return None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and every ``extra`` field of the record."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which worker process wrote it (several serve one deployment)
        }
        line |= {key: value for key, value in vars(record).items() if key not in _STANDARD and not key.startswith("_")}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_default(log_format: str = "text", level: int = logging.INFO) -> bool:
    """Give the ``dash_app`` loggers a handler on stderr if the host configured none; return whether it did.

    For the product's own entry points only; a library user's logging configuration always wins.
    """
    root = logging.getLogger()
    ours = logging.getLogger("dash_app")
    if root.handlers or ours.handlers:
        return False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json"
                         else logging.Formatter("[%(asctime)s] %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    ours.addHandler(handler)
    ours.setLevel(level)
    ours.propagate = False
    return True
