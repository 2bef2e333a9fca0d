"""A scroll is a keyset seek whichever web worker answers each block: two app processes on one Redis.

Each process is the app built by ``create_app`` from the same DASH_APP_* settings (as dash_app/wsgi.py builds it
in every gunicorn worker) and answers grid blocks through the grid's callback (tests/services/grid_worker.py).
What proves the continuation is the SQL the second process ran: the keyset condition with OFFSET 0, not the
OFFSET of the rows above the block.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROWS = 5_000
GROUPS = 7
WORKER = Path(__file__).with_name("grid_worker.py")


def items_database(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, grp INTEGER, name TEXT)")
        connection.executemany("INSERT INTO items VALUES (?, ?, ?)",
                               [(i, i % GROUPS, f"item {i}") for i in range(1, ROWS + 1)])
    return f"sqlite:///{path}"


class Worker:
    """One app process; :meth:`block` asks it for the grid's rows [start, end) in a sort."""

    def __init__(self, environment: dict) -> None:
        self.process = subprocess.Popen([sys.executable, str(WORKER)], env=environment, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        assert self._answer() == {"ready": True}

    def block(self, start: int, end: int, sort: str) -> dict:
        request = {"startRow": start, "endRow": end, "sortModel": [{"colId": "grp", "sort": sort}]}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        assert line, f"the worker process ended (exit code {self.process.wait()})"
        return json.loads(line)

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


@pytest.fixture
def workers(tmp_path, redis_url):
    environment = {**os.environ, "DASH_APP_DATA_DIR": str(tmp_path / "data"), "DASH_APP_SHARED_CACHE": "redis",
                   "DASH_APP_REDIS_URL": redis_url,
                   "DASH_APP_DATABASES": json.dumps({"db": items_database(tmp_path / "items.sqlite")})}
    started = [Worker(environment), Worker(environment)]
    yield started
    for worker in started:
        worker.stop()


def expected(sort: str) -> list[int]:
    """Ids in the grid's order: by grp, then by the primary key (ascending) within equal values."""
    return sorted(range(1, ROWS + 1), key=lambda i: -(i % GROUPS) if sort == "desc" else i % GROUPS)


def offsets(answer: dict) -> list[int]:
    return [int(found) for sql in answer["sql"] for found in re.findall(r"OFFSET (\d+)", sql, re.IGNORECASE)]


def test_the_next_block_of_a_scroll_seeks_in_another_process(workers):
    first, second = workers
    order = expected("desc")
    top = first.block(0, 100, "desc")
    assert top["ids"] == order[:100] and top["problem"] is None
    following = second.block(100, 200, "desc")
    assert following["ids"] == order[100:200]
    assert following["shared"] == 1 and offsets(following) == [0], "sought past the key the first process read"

    jumped = first.block(3_000, 3_100, "desc")
    assert jumped["ids"] == order[3_000:3_100] and offsets(jumped) == [2_999 - 200], "skipped from the nearest place either process read"
    deep = second.block(3_100, 3_200, "desc")
    assert deep["ids"] == order[3_100:3_200] and deep["shared"] == 1 and offsets(deep) == [0]
    back = second.block(3_000, 3_100, "desc")  # where the first process's jump started
    assert back["ids"] == order[3_000:3_100] and back["shared"] == 1 and offsets(back) == [0]


def test_a_position_read_in_one_sort_is_never_used_for_another(workers):
    first, second = workers
    first.block(0, 100, "desc")
    other = second.block(100, 200, "asc")
    assert other["ids"] == expected("asc")[100:200]
    assert other["shared"] == 0 and offsets(other) == [99], "OFFSET from the top (and the row before the block)"
