"""Query building on real SQLite, PostgreSQL and MariaDB: sorts, every filter, keyset paging, counts."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from data_fixtures import ROWS, awkward_rows

from dash_app.data import paging
from dash_app.data.paging import KeysetMemory
from tests.unit.runs_support import wait_until

ROWS_BY_ID = {row["id"]: row for row in awkward_rows()}


def ids(service, database, table, view, block=None):
    """Ids of the whole view, read block by block the way the grid reads them."""
    info, spec = service.view(database, table, view)
    size = block or ROWS + 10
    found, start = [], 0
    while True:
        result = service.block(database, info, spec, start, start + size)
        found += [row["id"] for row in result.rows]
        if result.last_row is not None:
            assert result.last_row == len(found)
            return found
        start += size


def null_first(value, fallback):
    return (value is not None, value if value is not None else fallback)


def expected_order(column, descending=False, fallback=0):
    rows = sorted(ROWS_BY_ID.values(), key=lambda row: row["id"])
    ordered = sorted(rows, key=lambda row: null_first(row[column], fallback), reverse=descending)
    if descending:  # the tiebreaker (id) stays ascending inside equal values
        groups = {}
        for row in ordered:
            groups.setdefault(null_first(row[column], fallback), []).append(row["id"])
        return [i for key in sorted(groups, reverse=True) for i in sorted(groups[key])]
    return [row["id"] for row in ordered]


@pytest.mark.parametrize("column,fallback", [("grp", 0), ("amount", 0), ("day", date.min), ("moment", datetime.min),
                                             ("ratio", 0.0)])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sort_puts_nulls_first_ascending_and_last_descending(awkward, column, fallback, direction):
    service, database, table, *_ = awkward
    found = ids(service, database, table, {"s": [[column, direction]]})
    assert found == expected_order(column, direction == "desc", fallback)


@pytest.mark.parametrize("sort", [
    [], [["grp", "asc"]], [["grp", "desc"]], [["flag", "desc"], ["grp", "asc"]], [["grp", "desc"], ["amount", "asc"]],
    [["name", "asc"]], [["moment", "desc"]], [["day", "asc"], ["ratio", "desc"]],
])
def test_keyset_blocks_never_skip_or_repeat_rows(awkward, sort):
    service, database, table, *_ = awkward
    whole = ids(service, database, table, {"s": sort})
    assert sorted(whole) == list(range(1, ROWS + 1))
    info, spec = service.view(database, table, {"s": sort})
    read, start, keyset_blocks = [], 0, 0
    while True:
        block = service.block(database, info, spec, start, start + 7)
        read += [row["id"] for row in block.rows]
        keyset_blocks += block.used_keyset
        if block.last_row is not None:
            break
        start += 7
    assert read == whole, "keyset continuation gives exactly the rows of one ordered query"
    assert keyset_blocks == ROWS // 7, "every block after the first continued by keyset"


def test_a_jump_uses_offset_then_continues_by_keyset(awkward):
    service, database, table, *_ = awkward
    whole = ids(service, database, table, {"s": [["grp", "desc"]]})
    info, spec = service.view(database, table, {"s": [["grp", "desc"]]})
    service.keysets = KeysetMemory()
    jumped = service.block(database, info, spec, 100, 110)
    following = service.block(database, info, spec, 110, 120)
    assert not jumped.used_keyset and following.used_keyset
    assert [r["id"] for r in jumped.rows + following.rows] == whole[100:120]


@pytest.mark.parametrize("sort", [[["grp", "desc"]], [["name", "asc"], ["amount", "desc"]], []])
def test_a_jump_seeks_from_the_nearest_place_read_before_and_a_block_read_again_is_a_seek(awkward, sort):
    service, database, table, *_ = awkward
    whole = ids(service, database, table, {"s": sort})
    info, spec = service.view(database, table, {"s": sort})
    service.keysets = KeysetMemory()
    assert not service.block(database, info, spec, 0, 10).used_keyset  # the top: ends at 10
    jumped = service.block(database, info, spec, 60, 75)  # skips 50 rows past what row 10 ended with
    assert jumped.used_keyset and [r["id"] for r in jumped.rows] == whole[60:75]
    between = service.block(database, info, spec, 30, 40)  # nearest below 30 is 10 again
    assert between.used_keyset and [r["id"] for r in between.rows] == whole[30:40]
    again = service.block(database, info, spec, 60, 75)  # its start was remembered with it
    assert again.used_keyset and [r["id"] for r in again.rows] == whole[60:75]
    beyond = service.block(database, info, spec, ROWS + 5, ROWS + 20)
    assert beyond.rows == [] and beyond.last_row == ROWS + 5


@pytest.mark.parametrize("sort", [[["grp", "desc"]], [["name", "asc"], ["amount", "desc"]], []])
def test_a_deep_jump_remembers_places_all_along_the_view_for_the_next_jumps(awkward, monkeypatch, sort):
    service, database, table, *_ = awkward
    monkeypatch.setattr(paging, "WAYPOINT_AFTER", 20)  # the awkward table is small: a "deep" jump is 20 rows
    monkeypatch.setattr(paging, "WAYPOINT_EVERY", 30)
    whole = ids(service, database, table, {"s": sort})
    info, spec = service.view(database, table, {"s": sort})
    service.keysets = KeysetMemory()
    jumped = service.block(database, info, spec, 200, 210)
    assert jumped.skipped == 200 and [r["id"] for r in jumped.rows] == whole[200:210]
    view = spec.key(database)
    wait_until(lambda: (service.keysets.nearest(view, 179) or (0,))[0] == 150)  # the background pass is done
    later = service.block(database, info, spec, 155, 165)
    assert later.used_keyset and later.skipped == 5, "seeks to the place remembered at 150, skips 5 rows"
    assert [r["id"] for r in later.rows] == whole[155:165]


def test_the_keyset_memory_forgets_the_oldest_places_and_finds_the_nearest_of_the_rest():
    memory = KeysetMemory(size=3)
    for index in (100, 10, 50, 70):  # 100 is forgotten for 70
        memory.remember("view", index, (index,))
    memory.remember("other", 5, (5,))  # 10 is forgotten
    assert memory.nearest("view", 60) == (50, (50,)) and memory.nearest("view", 100) == (70, (70,))
    assert memory.nearest("view", 20) is None and memory.nearest("other", 6) == (5, (5,))
    assert memory.nearest("view", 55) == (50, (50,))  # used: now the newest
    memory.remember("third", 1, (1,))  # 70 is now the oldest: forgotten
    assert memory.nearest("view", 100) == (50, (50,)) and memory.nearest("nothing", 10) is None


def matching(predicate):
    return sorted(i for i, row in ROWS_BY_ID.items() if predicate(row))


def text(condition):
    return {"filterType": "text", **condition}


CASES = {
    "text contains is case-insensitive": ({"name": text({"type": "contains", "filter": "AN"})},
                                          lambda r: r["name"] is not None and "an" in r["name"].lower()),
    "text contains % is literal": ({"name": text({"type": "contains", "filter": "0%"})},
                                   lambda r: r["name"] == "100% pure"),
    "text contains _ is literal": ({"name": text({"type": "contains", "filter": "r_s"})},
                                   lambda r: r["name"] == "under_score"),
    "text equals": ({"name": text({"type": "equals", "filter": "Zoë"})}, lambda r: r["name"] == "Zoë"),
    "text starts with unicode": ({"name": text({"type": "startsWith", "filter": "日本"})}, lambda r: r["name"] == "日本語"),
    "text ends with quote": ({"name": text({"type": "endsWith", "filter": "'brien"})}, lambda r: r["name"] == "O'Brien"),
    "text blank": ({"name": text({"type": "blank"})}, lambda r: not r["name"]),
    "text not blank": ({"name": text({"type": "notBlank"})}, lambda r: bool(r["name"])),
    "text not contains keeps NULL": ({"name": text({"type": "notContains", "filter": "o"})},
                                     lambda r: r["name"] is None or "o" not in r["name"].lower()),
    "number equals": ({"grp": {"filterType": "number", "type": "equals", "filter": 2}}, lambda r: r["grp"] == 2),
    "number range on decimals": ({"amount": {"filterType": "number", "type": "inRange", "filter": 3.99, "filterTo": 5.99}},
                                 lambda r: r["amount"] is not None and 3.99 <= float(r["amount"]) <= 5.99),
    "number less than float": ({"ratio": {"filterType": "number", "type": "lessThan", "filter": 0.5}},
                               lambda r: r["ratio"] is not None and r["ratio"] < 0.5),
    "number blank": ({"grp": {"filterType": "number", "type": "blank"}}, lambda r: r["grp"] is None),
    "number OR": ({"grp": {"filterType": "number", "operator": "OR", "conditions": [
        {"filterType": "number", "type": "equals", "filter": 1}, {"filterType": "number", "type": "blank"}]}},
        lambda r: r["grp"] in (1, None)),
    "date equals on a date": ({"day": {"filterType": "date", "type": "equals", "dateFrom": "2024-01-05 00:00:00"}},
                              lambda r: r["day"] == date(2024, 1, 5)),
    "date equals on a timestamp is the whole day": (
        {"moment": {"filterType": "date", "type": "equals", "dateFrom": "2024-01-03 00:00:00"}},
        lambda r: r["moment"] is not None and r["moment"].date() == date(2024, 1, 3)),
    "date range inclusive": ({"moment": {"filterType": "date", "type": "inRange", "dateFrom": "2024-01-02",
                                         "dateTo": "2024-01-04"}},
                             lambda r: r["moment"] is not None and date(2024, 1, 2) <= r["moment"].date() <= date(2024, 1, 4)),
    "date after": ({"day": {"filterType": "date", "type": "greaterThan", "dateFrom": "2024-02-01"}},
                   lambda r: r["day"] is not None and r["day"] > date(2024, 2, 1)),
    "two columns AND": ({"grp": {"filterType": "number", "type": "greaterThanOrEqual", "filter": 2},
                         "name": text({"type": "notBlank"})},
                        lambda r: r["grp"] is not None and r["grp"] >= 2 and bool(r["name"])),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_filter_returns_exactly_the_matching_rows(awkward, case):
    service, database, table, *_ = awkward
    model, predicate = CASES[case]
    found = ids(service, database, table, {"f": model}, block=50)
    assert sorted(found) == matching(predicate)
    info, spec = service.view(database, table, {"f": model})
    assert service.count(database, info, spec) == len(found)


def test_ticked_values_quick_search_and_filters_combine(awkward):
    service, database, table, *_ = awkward
    view = {"v": {"grp": [1, None], "flag": [True]}, "q": "row 1",
            "f": {"amount": {"filterType": "number", "type": "notBlank"}}}
    found = ids(service, database, table, view)
    expected = matching(lambda r: r["grp"] in (1, None) and r["flag"] is True and r["amount"] is not None
                        and any("row 1" in (str(r[c] or "")).lower() for c in ("name", "body")))
    assert sorted(found) == expected


@pytest.mark.parametrize("typed", ["zoë", "ZOË", "émile", "ÉMILE", "Émile"])
def test_search_and_contains_ignore_the_case_of_every_letter(awkward, typed):
    """SQLite folds the case of ASCII letters only: 'émile' must still find 'Émile', as it does elsewhere."""
    service, database, table, *_ = awkward
    expected = matching(lambda r: typed.lower() in (r["name"] or "").lower())
    assert expected, "the rows hold the name"
    assert sorted(ids(service, database, table, {"q": typed})) == expected
    contains = {"name": {"filterType": "text", "type": "contains", "filter": typed[1:]}}
    assert sorted(ids(service, database, table, {"f": contains})) == matching(
        lambda r: typed[1:].lower() in (r["name"] or "").lower())


def test_quick_search_treats_wildcards_literally(awkward):
    service, database, table, *_ = awkward
    assert sorted(ids(service, database, table, {"q": "0%"})) == matching(lambda r: r["name"] == "100% pure")
    assert ids(service, database, table, {"q": "%"}) == ids(service, database, table, {"q": "100%"})


def test_cells_display_sensibly_on_every_dialect(awkward):
    service, database, table, *_ = awkward
    info, spec = service.view(database, table, {"f": {"id": {"filterType": "number", "type": "equals", "filter": 50}}})
    kinds = {column.name: column.kind for column in info.columns}
    json_kind = "text" if service.engine(database).dialect.name == "mysql" else "json"  # MariaDB: JSON is LONGTEXT
    assert kinds == {"id": "number", "name": "text", "flag": "boolean", "day": "date", "moment": "datetime",
                     "amount": "number", "ratio": "number", "grp": "number", "doc": json_kind, "body": "text",
                     "blob": "binary"}
    row = service.block(database, info, spec, 0, 10).rows[0]
    assert row["flag"] is False and row["day"] == "2024-01-11" and row["moment"].startswith("2024-01-15 14:00:00")
    assert row["amount"] == 0.99 and row["ratio"] == 1.25 and row["grp"] is None
    assert '"tags"' in row["doc"] and row["blob"].startswith("0x3200ff")
    assert row["body"].endswith("…") and len(row["body"]) == 2001, "long text is cut for the grid"


def test_row_counts_are_exact_for_small_tables(awkward):
    service, database, table, *_ = awkward
    summary = {item.name: item for item in service.summaries(database)}
    assert summary[table].count.value == ROWS and summary[table].count.exact


def test_a_view_pages_without_skipping_or_repeating_rows(awkward):
    service, database, table, *_ = awkward
    view = "wb_view_" + table.rsplit("_", 1)[-1]
    summary = {item.name: item for item in service.summaries(database)}
    assert summary[view].is_view
    info, spec = service.view(database, view, {"s": [["grp", "desc"]]})
    assert info.is_view and not info.primary_key
    read, start = [], 0
    while True:
        block = service.block(database, info, spec, start, start + 7)
        assert not block.used_keyset, "a view has no unique key to seek on: OFFSET, ordered by every column"
        read += [row["id"] for row in block.rows]
        if block.last_row is not None:
            break
        start += 7
    assert sorted(read) == list(range(1, ROWS + 1))
    assert read == expected_order("grp", descending=True)
