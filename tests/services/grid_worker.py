"""One web worker process of tests/services/test_shared_workers.py: the app built from its DASH_APP_* settings
answers the grid's block requests, read as JSON lines on stdin, with one JSON line each on stdout: the ids of the
rows, the blocks that continued from a position another process remembered, and the block SQL SQLite ran."""

from __future__ import annotations

import json
import sys

from sqlalchemy import event

from dash_app import create_app
from dash_app.callbacks import data_grid
from dash_app.workbench import get_workbench


def main() -> None:
    app = create_app()
    data = get_workbench(app.server).data
    statements: list[str] = []
    # SQLite hands the trace its statements with their parameters filled in: the OFFSET a block skipped shows.
    event.listen(data.engine("db"), "connect", lambda connection, _record: connection.set_trace_callback(
        statements.append))
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        statements.clear()
        before = data.shared_keyset_hits
        with app.server.test_request_context("/"):
            response, problem = data_grid.answer_block(request, {"db": "db", "table": "items", "view": {}}, "", {})
        print(json.dumps({
            "ids": [row["id"] for row in response["rowData"]], "problem": None if problem is None else str(problem),
            "shared": data.shared_keyset_hits - before, "sql": [sql for sql in statements if "__wb_k" in sql],
        }), flush=True)


if __name__ == "__main__":
    main()
