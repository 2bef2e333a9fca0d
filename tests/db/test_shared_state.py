"""Web workers sharing grid positions, counts and table lists through a real Redis (dash_app/data/shared.py).

Two workbenches on the same settings stand for two web worker processes here (they share no memory, only Redis);
tests/services/test_shared_workers.py does the same with two processes.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from data_fixtures import ROWS

from dash_app.data import catalog
from dash_app.workbench import Workbench


@pytest.fixture
def two_workers(awkward, redis_url):
    """(worker A's service, worker B's service, database, table) over the awkward table, sharing one Redis."""
    service, database, table, *_ = awkward
    scaled = service.settings.model_copy(update={"shared_cache": "redis", "redis_url": redis_url})
    first, second = Workbench(scaled), Workbench(scaled)
    yield first.data, second.data, database, table
    first.dispose()
    second.dispose()


def whole_view(service, database, table, view):
    info, spec = service.view(database, table, view)
    return [row["id"] for row in service.block(database, info, spec, 0, ROWS + 10).rows]


@pytest.mark.parametrize("sort", [
    [], [["grp", "desc"]], [["flag", "desc"], ["grp", "asc"]], [["name", "asc"]], [["moment", "desc"]],
    [["day", "asc"], ["ratio", "desc"]], [["amount", "asc"]],
])
def test_blocks_answered_by_two_workers_in_turn_each_continue_from_the_others_position(two_workers, sort):
    first, second, database, table = two_workers
    whole = whole_view(first, database, table, {"s": sort})
    views = [service.view(database, table, {"s": sort}) for service in (first, second)]
    read, start, turn = [], 0, 0
    while True:
        service = (first, second)[turn % 2]
        info, spec = views[turn % 2]
        block = service.block(database, info, spec, start, start + 7)
        read += [row["id"] for row in block.rows]
        assert block.used_keyset == (start > 0) and block.skipped == 0, f"block at {start} sought, skipping nothing"
        if block.last_row is not None:
            break
        start, turn = start + 7, turn + 1
    assert read == whole, "the drivers' values come back from Redis as the same types: no row skipped or repeated"
    assert first.shared_keyset_hits + second.shared_keyset_hits == turn, "each block continued from the other's"


def test_a_position_is_only_used_for_the_view_it_was_read_in(two_workers):
    first, second, database, table = two_workers
    info, spec = first.view(database, table, {"s": [["grp", "desc"]]})
    first.block(database, info, spec, 0, 10)
    other_info, other_spec = second.view(database, table, {"s": [["grp", "asc"]]})
    block = second.block(database, other_info, other_spec, 10, 20)
    assert not block.used_keyset and second.shared_keyset_hits == 0
    assert [row["id"] for row in block.rows] == whole_view(second, database, table, {"s": [["grp", "asc"]]})[10:20]


def test_a_count_and_the_table_list_taken_by_one_worker_serve_the_other(two_workers, monkeypatch):
    first, second, database, table = two_workers
    view = {"f": {"grp": {"filterType": "number", "type": "greaterThan", "filter": 1}}}
    info, spec = first.view(database, table, view)
    counted = first.grid_count(database, info, spec)
    listed = first.summaries(database)

    def no_counting(*_args, **_kwargs):
        raise AssertionError("the second worker counted again")

    monkeypatch.setattr(second, "count", no_counting)
    monkeypatch.setattr(catalog, "summaries", no_counting)
    other_info, other_spec = second.view(database, table, view)
    assert second.grid_count(database, other_info, other_spec) == counted > 0
    assert second.known_count(database, other_info, other_spec) == catalog.RowCount(counted, exact=True)
    assert second.summaries(database) == listed


def test_a_count_under_way_in_one_worker_is_waited_for_by_the_other(two_workers, monkeypatch):
    first, second, database, table = two_workers
    view = {"f": {"grp": {"filterType": "number", "type": "lessThan", "filter": 3}}}
    (info, spec), (other_info, other_spec) = first.view(database, table, view), second.view(database, table, view)
    counting, waiting, release = threading.Event(), threading.Event(), threading.Event()
    count, look = first.count, second.shared.get

    def slow_count(*arguments, **keywords):
        counting.set()
        release.wait(60)
        return count(*arguments, **keywords)

    def looking(name):
        waiting.set()
        return look(name)

    def no_counting(*_args, **_kwargs):
        raise AssertionError("the second worker counted too")

    monkeypatch.setattr(first, "count", slow_count)
    monkeypatch.setattr(second, "count", no_counting)
    monkeypatch.setattr(second.shared, "get", looking)
    with ThreadPoolExecutor(2) as pool:
        mine = pool.submit(first.view_count, database, info, spec, 60)  # limits no loaded machine reaches
        assert counting.wait(60)
        theirs = pool.submit(second.view_count, database, other_info, other_spec, 60)
        assert waiting.wait(60), "the second worker waits for the first one's count"
        release.set()
        assert theirs.result() == mine.result() and mine.result().exact and mine.result().value > 0


def test_a_deep_jump_plans_the_waypoints_once_for_every_worker(two_workers, monkeypatch):
    first, second, database, table = two_workers
    from dash_app.data import paging

    monkeypatch.setattr(paging, "WAYPOINT_AFTER", 20)
    monkeypatch.setattr(paging, "WAYPOINT_EVERY", 30)
    planned = []
    monkeypatch.setattr(second, "_remember_waypoints", lambda *arguments: planned.append(arguments))
    for service in (first, second):
        info, spec = service.view(database, table, {"s": [["grp", "desc"]]})
        service.block(database, info, spec, 200, 210)
    assert planned == [], "the first worker's pass serves both"


def test_with_redis_down_each_worker_reads_alone_with_no_error(awkward, tmp_path):
    service, database, table, *_ = awkward
    down = service.settings.model_copy(update={"shared_cache": "redis", "redis_url": "redis://127.0.0.1:1/0"})
    workbench = Workbench(down)
    try:
        data = workbench.data
        whole = whole_view(service, database, table, {})
        info, spec = data.view(database, table, {})
        read = []
        for start in range(0, 70, 7):
            block = data.block(database, info, spec, start, start + 7)
            assert block.used_keyset == (start > 0), "this process's own memory still seeks"
            read += [row["id"] for row in block.rows]
        assert read == whole[:70]
        assert data.grid_count(database, info, spec) == ROWS
        assert data.shared.failures == 1, "after one failure Redis is left alone for a while: no block waits for it"
    finally:
        workbench.dispose()


def test_what_does_not_read_back_is_nothing_shared(redis_url):
    import uuid

    import redis

    from dash_app.data.shared import PREFIX, SharedStore

    store, name = SharedStore(redis_url), f"test:{uuid.uuid4().hex}"
    client = redis.Redis.from_url(redis_url)
    try:
        client.set(PREFIX + name, "not JSON", ex=60)
        client.zadd(PREFIX + name + ":keys", {'5|[["no such type",1]]': 5, "7|[[": 7})
        assert store.get(name) is None and store.nearest(name + ":keys", 6) is None
        assert store.nearest(name + ":keys", 10) is None and store.failures == 0
        store.remember(name + ":keys", [(8, (8,))])
        assert store.nearest(name + ":keys", 10) == (8, (8,))
    finally:
        client.delete(PREFIX + name, PREFIX + name + ":keys")
        client.close()
        store.close()
