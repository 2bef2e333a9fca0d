"""The baseline of benchmarks/load.py: a bare Flask app running the Data grid's SQL, nothing else.

A grid block runs the statements dash_app/data/paging.py compiles for the demo ``order_lines`` table (first
block, OFFSET, keyset continuation with OFFSET from the nearest known place), with the same memory of places
(``paging.KeysetMemory``, filled the same way, with the same background pass of waypoints after a deep jump),
and answers in the same JSON shape as the Dash callback. The other requests of a page load are answered
with the bytes the app itself gave for them (captured by load.py), so the baseline does the same number of
requests with the same bodies but no work beyond the SQL. No Dash, no view parsing, no checks.

    python benchmarks/bare_load.py DB CAPTURED PORT THREADS        # waitress, like ``python -m dash_app``
    LOAD_BARE_DB=... LOAD_BARE_CAPTURED=... gunicorn bare_load:application   # with --chdir benchmarks
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
from pathlib import Path

from flask import Flask, Response, jsonify, request

from dash_app.data.paging import WAYPOINT_AFTER, WAYPOINT_EVERY, KeysetMemory

COLUMNS = ("id", "order_id", "product_id", "quantity", "unit_price", "line_total", "discount_pct")
_SELECT = ("SELECT order_lines.id AS id, order_lines.order_id AS order_id, order_lines.product_id AS product_id, "
           "order_lines.quantity AS quantity, order_lines.unit_price AS unit_price, order_lines.line_total AS "
           "line_total, order_lines.discount_pct AS discount_pct, order_lines.id AS __wb_k0 \nFROM order_lines ")
SQL = {  # the product's statements for the demo table's default view, as SQLAlchemy compiles them for SQLite
    "first": _SELECT + "ORDER BY order_lines.id ASC\n LIMIT ? OFFSET ?",
    "offset": _SELECT + "ORDER BY order_lines.id ASC\n LIMIT ? OFFSET ?",
    "keyset": _SELECT + "\nWHERE (order_lines.id) > (?) ORDER BY order_lines.id ASC\n LIMIT ? OFFSET ?",
    "waypoints": "SELECT anon_1.wb_k0, anon_1.wb_rn \nFROM (SELECT order_lines.id AS wb_k0, row_number() OVER "
                 "(ORDER BY order_lines.id ASC) AS wb_rn \nFROM order_lines) AS anon_1 \nWHERE anon_1.wb_rn % ? = ? "
                 "ORDER BY anon_1.wb_rn",
    "count": "SELECT max(rowid) FROM order_lines",
}
VIEW = "order_lines"
WIDTH = len(COLUMNS)


def build(path: str, captured: str) -> Flask:
    app = Flask("bare")
    local = threading.local()
    memory = KeysetMemory()
    state: dict = {"count": None, "waypoints": False}
    lock = threading.Lock()
    answers = _load_captured(Path(captured))

    def connection() -> sqlite3.Connection:
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        return local.db

    def plan_waypoints() -> None:
        with lock:
            if state["waypoints"]:
                return
            state["waypoints"] = True

        def remember() -> None:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            for key, index in db.execute(SQL["waypoints"], (WAYPOINT_EVERY, 0)).fetchall():
                memory.remember(VIEW, int(index), (key,))
            db.close()

        threading.Thread(target=remember, daemon=True).start()

    @app.post("/block")
    def block():
        asked = request.get_json()["inputs"][0]["value"]
        start, size = asked["startRow"], asked["endRow"] - asked["startRow"]
        anchor = memory.nearest(VIEW, start) if start > 0 else None
        skip = start - anchor[0] if anchor else start
        lead = 1 if skip > 0 else 0
        if anchor:
            rows = connection().execute(SQL["keyset"], (anchor[1][0], size + lead, skip - lead)).fetchall()
        else:
            rows = connection().execute(SQL["offset" if start else "first"], (size + lead, skip - lead)).fetchall()
        if lead and rows:
            memory.remember(VIEW, start, tuple(rows[0][WIDTH:]))
            rows = rows[1:]
        if rows:
            memory.remember(VIEW, start + len(rows), tuple(rows[-1][WIDTH:]))
        if skip > WAYPOINT_AFTER:
            plan_waypoints()
        if state["count"] is None:
            state["count"] = connection().execute(SQL["count"]).fetchone()[0]
        answer = {"rowData": [dict(zip(COLUMNS, row)) for row in rows], "rowCount": state["count"]}
        return jsonify({"multi": True, "response": {"data-grid": {"getRowsResponse": answer}}})

    @app.route("/captured/<name>", methods=["GET", "POST"])
    def captured_answer(name: str):
        body, headers = answers[name]
        return Response(body, headers=headers)

    @app.get("/")
    def ready():
        return "ok"

    return app


def _load_captured(folder: Path) -> dict[str, tuple[bytes, dict]]:
    """name -> (body as sent, its Content-Type and Content-Encoding), as load.py saved them."""
    index = json.loads((folder / "index.json").read_text())
    return {name: ((folder / name).read_bytes(), headers) for name, headers in index.items()}


def _from_environment() -> Flask | None:
    if "LOAD_BARE_DB" not in os.environ:
        return None
    return build(os.environ["LOAD_BARE_DB"], os.environ["LOAD_BARE_CAPTURED"])


application = _from_environment()  # for gunicorn

if __name__ == "__main__":
    from waitress import serve

    serve(build(sys.argv[1], sys.argv[2]), host="127.0.0.1", port=int(sys.argv[3]), threads=int(sys.argv[4]),
          _quiet=True)
