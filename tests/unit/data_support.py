"""Helpers for tests of the Data page's chart: the request Run sends, and a SQLite file held locked."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dash_app import ids


def press_run_chart(app, view: dict, x: str, handles: dict | None = None):
    """The request the page sends when Run is pressed on the Chart tab (the chart's background callback) to
    count ``view`` by ``x``, or with the job's ``handles`` (the answer to that request), the page's next look."""
    key = next(key for key in app.callback_map if f"{ids.DATA_CHART_STATUS}.children" in key)
    spec = app.callback_map[key]
    values = {ids.DATA_CHART_X: x, ids.DATA_CHART_AGG: "count", ids.DATA_VIEW: view}
    payload = {
        "output": key, "outputs": [{"id": part.split(".")[0], "property": part.split(".")[1]}
                                   for part in key.strip(".").split("...")],
        "inputs": [dict(item, value=1) for item in spec["inputs"]],
        "state": [dict(item, value=values.get(item["id"])) for item in spec["state"]],
        "changedPropIds": [f"{ids.DATA_CHART_RUN}.n_clicks"],
    }
    query = {name: handles[name] for name in ("cacheKey", "job")} if handles else None
    return app.server.test_client().post("/_dash-update-component", json=payload, query_string=query)


LOCK_WAIT_S = 60


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """The test holds SQLite's write lock on ``path``: a chart's query waits in the database (up to the query
    time limit) until the block ends, so its job cannot end by itself meanwhile."""
    # The lock waits for readers still on the file (a page's first block, a chart job ending in a Celery
    # worker): up to a minute, not sqlite3's 5 s, which a reader on a loaded machine once outlasted in CI.
    writer = sqlite3.connect(path, isolation_level=None, timeout=LOCK_WAIT_S)
    writer.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        writer.execute("ROLLBACK")
        writer.close()
