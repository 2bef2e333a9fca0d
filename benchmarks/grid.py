"""Grid benchmark: 100-row blocks of a 10,000,000-row SQLite table through the real Dash callback endpoint.

Compared in the same run with the bare SQL, with a bare Flask route running the same SQL
(benchmarks/bare_flask.py, same server), with Datasette's first page of the same file (installed in its
own venv under benchmarks/.data/), and, for export, with the ``sqlite3`` CLI writing the same CSV.
The table is built once under benchmarks/.data/ and reused. The last line is one JSON object.

    .venv/bin/python benchmarks/grid.py [--repeat 30] [--postgres-url postgresql+psycopg://...]
    .venv/bin/python benchmarks/grid.py --only export   # the CSV export and its sqlite3 baseline alone

With a PostgreSQL URL (or GRID_BENCH_POSTGRES_URL) the same 10M-row table is built there once
(``grid_events``) and its blocks are timed through the same callback against the bare SQL.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import venv
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / ".data"
DB_PATH = DATA / "grid.sqlite"
ROWS = 10_000_000
DEPTH = 5_000_000
BLOCK = 100
DATASETTE_VENV = DATA / "datasette-venv"
DATASETTE_SPEC = "datasette==0.65.*"


def log(message: str) -> None:
    print(message, flush=True)


# ---- data ----------------------------------------------------------------------------------------

def build_table() -> None:
    """10M rows, 6 columns, an index on one numeric column (score); built once in SQL (no Python loop)."""
    build_sqlite_once(DB_PATH, f"""
        CREATE TABLE events (id INTEGER PRIMARY KEY, ts TIMESTAMP NOT NULL, category TEXT NOT NULL,
                             amount REAL, score INTEGER NOT NULL, note TEXT);
        WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {ROWS})
        INSERT INTO events
        SELECT x, datetime(1600000000 + x * 3, 'unixepoch'),
               CASE x % 5 WHEN 0 THEN 'alpha' WHEN 1 THEN 'beta' WHEN 2 THEN 'gamma' WHEN 3 THEN 'delta'
                    ELSE 'epsilon' END,
               CASE WHEN x % 17 = 0 THEN NULL ELSE ((x * 7919) % 100000) / 100.0 END,
               (x * 104729) % 1000003,
               CASE WHEN x % 3 = 0 THEN NULL ELSE 'note ' || (x % 1000) END
        FROM c;
        CREATE INDEX ix_events_score ON events(score);
    """)


def build_sqlite_once(path: Path, script: str) -> None:
    """Run ``script`` into a new SQLite file at ``path`` once; a file whose ``meta`` table says complete is reused.

    The script creates the tables and fills them; this adds fast PRAGMAs, a ``meta`` table, ANALYZE and the
    complete marker, and writes under a temporary name so that an interrupted build is never reused.
    """
    if path.exists():
        with sqlite3.connect(path) as connection:
            if connection.execute("select count(*) from meta where k = 'complete'").fetchone()[0]:
                log(f"reusing {path}")
                return
    DATA.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    log(f"building {ROWS:,} rows in {path} (once)")
    with sqlite3.connect(partial) as connection:
        connection.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"
            "CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);" + script
            + "; ANALYZE; INSERT INTO meta VALUES ('complete', 'yes');")
    connection.close()
    partial.replace(path)
    log(f"built in {time.perf_counter() - started:.1f} s")


# ---- servers -------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout_s} s")


def start(command: list[str], url: str, environment: dict | None = None, name: str = "server") -> subprocess.Popen:
    log_file = open(DATA / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log_file, stderr=subprocess.STDOUT)
    wait_for(url, process)
    return process


def stop(process: subprocess.Popen | None) -> None:
    if process is None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def build_postgres(url: str) -> None:
    """The same 10M rows in PostgreSQL (table grid_events), built once with generate_series."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            exists = connection.execute(sa.text("select to_regclass('grid_events')")).scalar()
            if exists and connection.execute(sa.text("select max(id) from grid_events")).scalar() == ROWS:
                log("reusing PostgreSQL table grid_events")
                return
        started = time.perf_counter()
        log(f"building {ROWS:,} rows in PostgreSQL table grid_events (once)")
        with engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS grid_events"))
            connection.execute(sa.text(
                "CREATE TABLE grid_events (id bigint PRIMARY KEY, ts timestamp NOT NULL, category text NOT NULL, "
                "amount double precision, score bigint NOT NULL, note text)"))
            connection.execute(sa.text(f"""
                INSERT INTO grid_events
                SELECT x, to_timestamp(1600000000 + x * 3) AT TIME ZONE 'UTC',
                       (ARRAY['alpha', 'beta', 'gamma', 'delta', 'epsilon'])[x % 5 + 1],
                       CASE WHEN x % 17 = 0 THEN NULL ELSE ((x * 7919) % 100000) / 100.0 END,
                       (x * 104729) % 1000003,
                       CASE WHEN x % 3 = 0 THEN NULL ELSE 'note ' || (x % 1000) END
                FROM generate_series(1::bigint, {ROWS}) AS x"""))
            connection.execute(sa.text("CREATE INDEX ix_grid_events_score ON grid_events (score)"))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE grid_events"))
        log(f"built in {time.perf_counter() - started:.1f} s")
    finally:
        engine.dispose()


def measure_postgres(client: DashClient, url: str, repeat: int) -> dict:
    """Blocks of grid_events through the callback, against the same SQL run directly (psycopg)."""
    import sqlalchemy as sa

    view = {"db": "grid_pg", "table": "grid_events", "view": {}, "editable": False}

    def payload(start, sort=None):
        request = {"startRow": start, "endRow": start + BLOCK, "sortModel": sort or [], "filterModel": {}}
        return client.payload("data-grid.getRowsResponse", {"data-grid.getRowsRequest": request},
                              {"data-view.data": view, "data-search.value": "", "data-values-store.data": {}})

    figures = {}
    first = payload(0)
    client.post(first)
    figures["pg_callback_first"] = median(timed(lambda: client.post(first), repeat))
    for name, sort in (("seq", None), ("sorted", [{"colId": "score", "sort": "asc"}])):
        client.post(payload(DEPTH - BLOCK, sort))
        times, start = [], DEPTH
        for _ in range(repeat):
            request = payload(start, sort)
            began = time.perf_counter()
            client.post(request)
            times.append((time.perf_counter() - began) * 1000)
            start += BLOCK
        figures[f"pg_callback_{name}_5m"] = median(times)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            columns = "id, ts, category, amount, score, note"

            def run(sql, args=()):
                return lambda: raw.execute(sql, args).fetchall()

            figures["pg_sql_first"] = median(timed(run(f"SELECT {columns} FROM grid_events ORDER BY id LIMIT 100"), repeat))
            figures["pg_sql_keyset_5m"] = median(timed(run(
                f"SELECT {columns} FROM grid_events WHERE id > %s ORDER BY id LIMIT 100", (DEPTH,)), repeat))
            figures["pg_sql_sorted_keyset_5m"] = median(timed(run(
                f"SELECT {columns} FROM grid_events WHERE (score, id) > (%s, %s) ORDER BY score, id LIMIT 100",
                (500_000, 0)), repeat))
            figures["pg_sql_offset_5m"] = median(timed(run(
                f"SELECT {columns} FROM grid_events ORDER BY id LIMIT 100 OFFSET {DEPTH}"), 3))
    finally:
        engine.dispose()
    return figures


def app_environment(postgres_url: str | None = None) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DASH_APP_")}
    databases = {"grid": f"sqlite:///{DB_PATH}"}
    if postgres_url:
        databases["grid_pg"] = postgres_url
    environment["DASH_APP_DATABASES"] = json.dumps(databases)
    environment["DASH_APP_QUERY_TIMEOUT_S"] = "60"
    return environment


# ---- Dash payloads built from the app's own dependency list ---------------------------------------

class DashClient:
    """Posts callbacks exactly as the browser does, from the app's /_dash-dependencies."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.dependencies = self.session.get(base + "_dash-dependencies", timeout=30).json()

    def _callback(self, first_output: str) -> dict:
        for dependency in self.dependencies:
            if dependency["output"].lstrip(".").startswith(first_output):
                return dependency
        raise KeyError(first_output)

    def payload(self, first_output: str, inputs: dict, state: dict) -> dict:
        dependency = self._callback(first_output)
        outputs = [dict(zip(("id", "property"), item.split(".", 1)))
                   for item in dependency["output"].strip(".").split("...")]

        def filled(items, values):
            return [{"id": item["id"], "property": item["property"],
                     "value": values.get(f"{item['id']}.{item['property']}")} for item in items]

        multi = dependency["output"].startswith("..")  # named or several outputs travel as a list
        return {"output": dependency["output"], "outputs": outputs if multi else outputs[0],
                "inputs": filled(dependency["inputs"], inputs), "state": filled(dependency["state"], state),
                "changedPropIds": list(inputs)}

    def send(self, payload: dict) -> requests.Response:
        """Post and read the whole answer (not parsed: the timings compare server work, not client JSON)."""
        response = self.session.post(self.base + "_dash-update-component", json=payload, timeout=300)
        response.raise_for_status()
        return response

    def post(self, payload: dict) -> dict:
        response = self.send(payload)
        return response.json()["response"] if response.status_code == 200 else {}


VIEW = {"db": "grid", "table": "events", "view": {}, "editable": False}


def rows_payload(client: DashClient, start: int, sort: list | None = None) -> dict:
    request = {"startRow": start, "endRow": start + BLOCK, "sortModel": sort or [], "filterModel": {}}
    return client.payload("data-grid.getRowsResponse", {"data-grid.getRowsRequest": request},
                          {"data-view.data": VIEW, "data-search.value": "", "data-values-store.data": {}})


def timed(call, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


# ---- measurements -----------------------------------------------------------------------------------

def _clock(call) -> tuple[float, object]:
    began = time.perf_counter()
    answer = call()
    return (time.perf_counter() - began) * 1000, answer


def measure_blocks(client: DashClient, bare: str, repeat: int) -> dict:
    """Callback and bare route alternate block by block, so both meet the same page-cache state."""
    session = requests.Session()
    figures = {}

    def grid_rows(answer) -> list:
        if isinstance(answer, requests.Response):
            answer = answer.json()["response"]
        return answer["data-grid"]["getRowsResponse"]["rowData"]

    def bare_rows(response: requests.Response) -> list:
        return response.json()["rowData"]

    # First block: the same request each time (as after a reload).
    payload = rows_payload(client, 0)
    assert [row["id"] for row in grid_rows(client.post(payload))][:2] == [1, 2]
    callback_times, bare_times = [], []
    for _ in range(repeat):
        callback_times.append(_clock(lambda: client.send(payload))[0])
        bare_times.append(_clock(lambda: session.post(f"{bare}/block/first", json=[]))[0])
    figures["callback_first"], figures["flask_first"] = median(callback_times), median(bare_times)

    # Sequential scrolling at depth 5M: one OFFSET jump, then blocks continue by keyset. In each step both
    # read the same block; which one reads it first alternates, so neither always meets a warmer cache.
    client.post(rows_payload(client, DEPTH - BLOCK))
    callback_times, bare_times, start, last_id = [], [], DEPTH, DEPTH
    for step in range(repeat):
        def by_callback(start=start):
            request = rows_payload(client, start)
            elapsed, answer = _clock(lambda: client.send(request))
            assert grid_rows(answer)[0]["id"] == start + 1
            callback_times.append(elapsed)

        def by_bare(after=last_id):
            elapsed, answer = _clock(lambda: session.post(f"{bare}/block/seq", json=[after]))
            bare_times.append(elapsed)
            return bare_rows(answer)[-1]["id"]

        if step % 2:
            last_id = by_bare()
            by_callback()
        else:
            by_callback()
            last_id = by_bare()
        start += BLOCK
    figures["callback_seq_5m"], figures["flask_seq_5m"] = median(callback_times), median(bare_times)

    # Sorted by the indexed column at depth 5M, the same way.
    sort = [{"colId": "score", "sort": "asc"}]
    client.post(rows_payload(client, DEPTH - BLOCK, sort))
    last = grid_rows(client.post(rows_payload(client, DEPTH, sort)))[-1]
    callback_times, bare_times, start, after = [], [], DEPTH + BLOCK, [last["score"], last["id"]]
    for step in range(repeat):
        def sorted_callback(start=start):
            request = rows_payload(client, start, sort)
            callback_times.append(_clock(lambda: client.send(request))[0])

        def sorted_bare(after=after):
            elapsed, answer = _clock(lambda: session.post(f"{bare}/block/sorted", json=after))
            bare_times.append(elapsed)
            last = bare_rows(answer)[-1]
            return [last["score"], last["id"]]

        if step % 2:
            after = sorted_bare()
            sorted_callback()
        else:
            sorted_callback()
            after = sorted_bare()
        start += BLOCK
    figures["callback_sorted_5m"], figures["flask_sorted_5m"] = median(callback_times), median(bare_times)
    return figures


def measure_bare_sql(repeat: int) -> dict:
    with sqlite3.connect(f"file:{DB_PATH}?mode=ro", uri=True) as connection:
        def run(sql, args=()):
            return lambda: connection.execute(sql, args).fetchall()
        from bare_flask import SQL  # the same statements as the bare route

        return {
            "sql_first": median(timed(run(SQL["first"]), repeat)),
            "sql_offset_5m": median(timed(run(SQL["first"].replace("LIMIT 100", f"LIMIT 100 OFFSET {DEPTH}")), 3)),
            "sql_keyset_5m": median(timed(run(SQL["seq"], (DEPTH,)), repeat)),
            "sql_sorted_keyset_5m": median(timed(run(SQL["sorted"], (500_000, 0)), repeat)),
            "sql_count": median(timed(run("SELECT count(*) FROM events"), 3)),
        }


def measure_first_screen(base: str, client: DashClient, loads: int = 5) -> float:
    """What a page load of the table does: page, layout, the page's content (it opens the table), first block
    (and its count), count."""
    session = requests.Session()
    totals = []
    content = client.payload("_pages_content.children", {"_pages_location.pathname": "/data",
                                                          "_pages_location.search": "?db=grid&table=events"}, {})
    for load in range(loads):
        sort = [{"colId": "id", "sort": "desc" if load % 2 else "asc"}] if load else []  # a cold view count
        began = time.perf_counter()
        session.get(f"{base}data?db=grid&table=events", timeout=60)
        session.get(f"{base}_dash-layout", timeout=60)
        client.post(content)
        client.post(rows_payload(client, 0, sort or None) if sort else rows_payload(client, 0))
        client.post(client.payload("data-count.children", {"data-view.data": VIEW}, {}))
        totals.append((time.perf_counter() - began) * 1000)
    log(f"  first screen, each load (ms): {', '.join(f'{t:.1f}' for t in totals)}")
    return median(totals)


def datasette_python() -> tuple[Path | None, str]:
    """The Python of Datasette's own venv under benchmarks/.data/ (installed once), or None and why not."""
    python = DATASETTE_VENV / "bin" / "python"
    if not python.exists():
        log(f"installing {DATASETTE_SPEC} into {DATASETTE_VENV} (once)")
        try:
            venv.create(DATASETTE_VENV, with_pip=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", DATASETTE_SPEC], check=True, timeout=300,
                           capture_output=True)
        except (subprocess.SubprocessError, OSError) as error:
            shutil.rmtree(DATASETTE_VENV, ignore_errors=True)
            return None, f"datasette could not be installed: {error}"
    return python, ""


def datasette_first_page(loads: int = 5) -> tuple[float | None, str]:
    python, problem = datasette_python()
    if python is None:
        return None, problem
    port = free_port()
    process = None
    try:
        process = start([str(python), "-m", "datasette", "serve", str(DB_PATH), "-p", str(port)],
                        f"http://127.0.0.1:{port}/", name="datasette")
        version = subprocess.run([str(python), "-m", "datasette", "--version"], capture_output=True, text=True).stdout
        url = f"http://127.0.0.1:{port}/grid/events"
        session = requests.Session()
        times = timed(lambda: session.get(url, timeout=120).raise_for_status(), loads)
        log(f"  datasette ({version.strip()}) first page, each load (ms): {', '.join(f'{t:.1f}' for t in times)}")
        return median(times), version.strip()
    except (RuntimeError, requests.RequestException) as error:
        return None, f"datasette did not serve: {error}"
    finally:
        stop(process)


def private_memory(process: psutil.Process) -> int:
    """The process's own memory: resident pages less those that map files (Linux's RssAnon, else RSS).

    Read-only SQLite connections map the database file (dash_app/data/engines.py): its pages count in RSS but
    are the operating system's file cache, shared and given back under pressure, not memory the export holds.
    """
    try:
        with open(f"/proc/{process.pid}/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return process.memory_info().rss


def measure_export(base: str, app_process: subprocess.Popen) -> dict:
    server = psutil.Process(app_process.pid)
    baseline, baseline_rss = private_memory(server), server.memory_info().rss
    peak, peak_rss = [baseline], [baseline_rss]
    running = threading.Event()
    running.set()

    def sample():
        while running.is_set():
            try:
                peak[0] = max(peak[0], private_memory(server))
                peak_rss[0] = max(peak_rss[0], server.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began = time.perf_counter()
    size, lines, first_byte = 0, 0, None
    with requests.get(f"{base}data/export.csv?db=grid&table=events", stream=True, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_content(chunk_size=1 << 20):
            if first_byte is None:
                first_byte = time.perf_counter() - began
            size += len(chunk)
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - began
    running.clear()
    sampler.join()
    assert lines == ROWS + 1, f"the export has {lines - 1:,} rows"
    return {"export_s": seconds, "export_first_byte_s": first_byte, "export_mb": size / 1e6,
            "export_peak_mb": peak[0] / 1e6, "export_baseline_mb": baseline / 1e6,
            "export_peak_rss_mb": peak_rss[0] / 1e6}


def sqlite3_baseline() -> tuple[float, str]:
    target = DATA / "sqlite3-export.csv"
    cli = shutil.which("sqlite3")
    began = time.perf_counter()
    if cli:
        with target.open("wb") as output:
            subprocess.run([cli, "-readonly", "-csv", "-header", str(DB_PATH), "SELECT * FROM events ORDER BY id"],
                           stdout=output, check=True)
        how = "sqlite3 CLI"
    else:
        import csv

        with sqlite3.connect(DB_PATH) as connection, target.open("w", newline="") as output:
            writer = csv.writer(output)
            cursor = connection.execute("SELECT * FROM events ORDER BY id")
            writer.writerow([c[0] for c in cursor.description])
            writer.writerows(cursor)
        how = "Python's sqlite3 + csv (no sqlite3 CLI found)"
    seconds = time.perf_counter() - began
    target.unlink()
    return seconds, how


def export_against_sqlite3(base: str, app: subprocess.Popen) -> tuple[dict, float]:
    """The app's CSV export of the whole table, then the sqlite3 CLI writing the same rows (same run)."""
    log("exporting 10M rows to CSV through the app's route")
    export = measure_export(base, app)
    sqlite_s, how = sqlite3_baseline()
    log(f"  app export: {export['export_s']:.1f} s, {export['export_mb']:.0f} MB, first byte after "
        f"{export['export_first_byte_s'] * 1000:.0f} ms, {ROWS / export['export_s']:,.0f} rows/s; server's own "
        f"memory {export['export_baseline_mb']:.0f} MB before, peak {export['export_peak_mb']:.0f} MB (RSS with the "
        f"mapped database file's pages: peak {export['export_peak_rss_mb']:.0f} MB)")
    log(f"  {how}: {sqlite_s:.1f} s, {ROWS / sqlite_s:,.0f} rows/s")
    return export, sqlite_s


def export_figures(export: dict, sqlite_s: float) -> dict:
    return {"export_peak_mb": round(export["export_peak_mb"], 1),
            "export_peak_rss_mb": round(export["export_peak_rss_mb"], 1),
            "export_vs_sqlite3": round(export["export_s"] / sqlite_s, 3)}


def export_only() -> int:
    """``--only export``: start the app alone and measure the CSV export against the sqlite3 CLI."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    app = None
    try:
        app = start([sys.executable, "-m", "dash_app", "--port", str(port), "--data-dir", str(DATA / "app")],
                    base, app_environment(), name="app")
        export, sqlite_s = export_against_sqlite3(base, app)
    finally:
        stop(app)
    print(json.dumps({"benchmark": "grid", "rows": ROWS, "only": "export", **export_figures(export, sqlite_s),
                      "export_s": round(export["export_s"], 2), "sqlite3_s": round(sqlite_s, 2)}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="requests per figure (median reported)")
    parser.add_argument("--postgres-url", default=os.environ.get("GRID_BENCH_POSTGRES_URL"),
                        help="also measure a 10M-row PostgreSQL table in this database (SQLAlchemy URL)")
    parser.add_argument("--only", choices=["export"], help="measure only this part (the JSON line has its figures)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    build_table()
    if args.only == "export":
        return export_only()
    if args.postgres_url:
        build_postgres(args.postgres_url)
    else:
        log("PostgreSQL: not measured (no --postgres-url / GRID_BENCH_POSTGRES_URL)")
    app_port, bare_port = free_port(), free_port()
    base, bare = f"http://127.0.0.1:{app_port}/", f"http://127.0.0.1:{bare_port}"
    app = bare_process = None
    result: dict = {"benchmark": "grid", "rows": ROWS}
    try:
        log("starting the app and the bare Flask route")
        app = start([sys.executable, "-m", "dash_app", "--port", str(app_port), "--data-dir", str(DATA / "app")],
                    base, app_environment(args.postgres_url), name="app")
        bare_process = start([sys.executable, str(ROOT / "benchmarks" / "bare_flask.py"), str(DB_PATH),
                              str(bare_port)], bare + "/", name="bare")
        client = DashClient(base)
        first_screen = measure_first_screen(base, client)
        blocks = measure_blocks(client, bare, args.repeat)
        sql = measure_bare_sql(args.repeat)
        log("100-row blocks, median ms (callback over HTTP | bare Flask over HTTP | bare SQL in process):")
        log(f"  first block            {blocks['callback_first']:8.2f} | {blocks['flask_first']:8.2f} | {sql['sql_first']:8.3f}")
        log(f"  sequential at 5M       {blocks['callback_seq_5m']:8.2f} | {blocks['flask_seq_5m']:8.2f} | "
            f"{sql['sql_keyset_5m']:8.3f} (OFFSET 5M would be {sql['sql_offset_5m']:.1f})")
        log(f"  sorted (indexed) at 5M {blocks['callback_sorted_5m']:8.2f} | {blocks['flask_sorted_5m']:8.2f} | "
            f"{sql['sql_sorted_keyset_5m']:8.3f}")
        log(f"  COUNT(*) of the table  {sql['sql_count']:.1f} ms (the grid uses max(rowid): ≈ count)")
        log(f"first screen (page, layout, open table, first block with count, view count): {first_screen:.1f} ms")
        if args.postgres_url:
            pg = measure_postgres(client, args.postgres_url, args.repeat)
            log("PostgreSQL, 100-row blocks, median ms (callback over HTTP | bare SQL in process):")
            log(f"  first block            {pg['pg_callback_first']:8.2f} | {pg['pg_sql_first']:8.3f}")
            log(f"  sequential at 5M       {pg['pg_callback_seq_5m']:8.2f} | {pg['pg_sql_keyset_5m']:8.3f} "
                f"(OFFSET 5M would be {pg['pg_sql_offset_5m']:.1f})")
            log(f"  sorted (indexed) at 5M {pg['pg_callback_sorted_5m']:8.2f} | {pg['pg_sql_sorted_keyset_5m']:8.3f}")
            result["pg_seq_5m_vs_first"] = round(pg["pg_callback_seq_5m"] / pg["pg_callback_first"], 3)
            result["pg_callback_first_ms"] = round(pg["pg_callback_first"], 2)
        datasette_ms, datasette_note = datasette_first_page()
        if datasette_ms is None:
            log(f"datasette: not measured: {datasette_note}")
        else:
            log(f"datasette first page: {datasette_ms:.1f} ms")
        export, sqlite_s = export_against_sqlite3(base, app)
        result.update({
            "callback_vs_flask_first": round(blocks["callback_first"] / blocks["flask_first"], 3),
            "callback_vs_flask_seq_5m": round(blocks["callback_seq_5m"] / blocks["flask_seq_5m"], 3),
            "callback_vs_flask_sorted_5m": round(blocks["callback_sorted_5m"] / blocks["flask_sorted_5m"], 3),
            "seq_5m_vs_first": round(blocks["callback_seq_5m"] / blocks["callback_first"], 3),
            "first_screen_vs_datasette": round(first_screen / datasette_ms, 3) if datasette_ms else None,
            **export_figures(export, sqlite_s),
            "first_screen_ms": round(first_screen, 1),
            "datasette_first_page_ms": round(datasette_ms, 1) if datasette_ms else None,
        })
    finally:
        stop(app)
        stop(bare_process)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
