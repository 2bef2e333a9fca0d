"""The baseline of benchmarks/grid.py: a bare Flask route running the grid's SQL, nothing else.

Same server (waitress, same threads) and same JSON rows as the app, so the difference measured is
the cost of the product's callback path (Dash, checks, view parsing), not of the database.
"""

from __future__ import annotations

import sqlite3
import sys
import threading

from flask import Flask, jsonify, request
from waitress import serve

COLUMNS = ("id", "ts", "category", "amount", "score", "note")
SQL = {
    "first": "SELECT id, ts, category, amount, score, note FROM events ORDER BY id LIMIT 100",
    "seq": "SELECT id, ts, category, amount, score, note FROM events WHERE id > ? ORDER BY id LIMIT 100",
    "sorted": "SELECT id, ts, category, amount, score, note FROM events WHERE (score, id) > (?, ?) "
              "ORDER BY score, id LIMIT 100",
}


def build(path: str) -> Flask:
    app = Flask("bare")
    local = threading.local()

    def connection() -> sqlite3.Connection:
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        return local.db

    @app.post("/block/<kind>")
    def block(kind: str):
        after = request.get_json(silent=True) or []
        rows = connection().execute(SQL[kind], after).fetchall()
        return jsonify({"rowData": [dict(zip(COLUMNS, row)) for row in rows]})

    @app.get("/")
    def ready():
        return "ok"

    return app


if __name__ == "__main__":
    serve(build(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), threads=8, _quiet=True)
