"""Load benchmark: simulated users on the Data page of the real app, against a bare Flask route, in one run.

Each user opens the Data page on the demo ``order_lines`` table as the browser does (the page, ``_dash-layout``,
``_dash-dependencies`` and the callbacks the page fires when it opens, ending with the grid's first block),
then jumps to random depths and scrolls a few 100-row blocks on from each, through the grid's real rows
callback (``_dash-update-component``), and opens the page again every few jumps. Users do not pause: the
figures are what the server can do at that concurrency. The same users (same seeds, same requests) also
load a bare Flask app running the same SQL (benchmarks/bare_load.py) on the same kind of server with the
same workers and threads, the two taking turns; the ratio of the two throughputs is the cost of the
product's request path.

    .venv/bin/python benchmarks/load.py                          # default mode: waitress, diskcache, SQLite
    .venv/bin/python benchmarks/load.py --mode scaled --redis-url redis://... --store-url postgresql+psycopg://...

``--mode default`` runs ``python -m dash_app`` (waitress, 8 threads) with 50 users. ``--mode scaled`` runs
``gunicorn 'dash_app.wsgi:application'`` with 1 and then 2 web workers (``--workers``), a Celery worker,
Redis and a PostgreSQL store (from ``--redis-url``/``--store-url`` or DASH_APP_REDIS_URL/DASH_APP_STORE_URL;
without them the mode is skipped with one line) with 200 users. Every run has its own temporary data
directory with a fresh demo database (``--rows`` order lines, 1M by default). The client is asyncio
(aiohttp) in this process; its own CPU time per request is printed beside the servers' so that a
client-bound result shows. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from grid import free_port, stop, wait_for  # noqa: E402 - the same server helpers as the grid benchmark

from dash_app.__main__ import SERVER_THREADS  # noqa: E402

BLOCK = 100
TABLE = "order_lines"
PAGE = f"data?db=demo&table={TABLE}"
VIEW = {"db": "demo", "table": TABLE, "view": {}, "editable": False}
COLUMNS = ("id", "order_id", "product_id", "quantity", "unit_price", "line_total", "discount_pct")
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium offers; the app compresses its answers for it
JUMPS_PER_VISIT = 4  # a user opens the page again after this many jumps
SCROLL_BLOCKS = (3, 10)  # blocks scrolled on after each jump (inclusive range)
TIMEOUT_S = 60
TARGET_VS_BARE = 0.7


def log(message: str) -> None:
    print(message, flush=True)


# ---- the page's requests, built from the app's own dependency list --------------------------------

@dataclass(frozen=True)
class Step:
    """One request of a user: its name (bare_load.py answers it under that name), method, path and body."""

    name: str
    method: str
    path: str
    body: bytes | None = None
    start: int | None = None  # a block's first row (its answer is checked)


def _callback(dependencies: list[dict], output_prefix: str) -> dict:
    found = [item for item in dependencies if item["output"].lstrip(".").startswith(output_prefix)]
    if len(found) != 1:
        raise RuntimeError(f"{len(found)} callbacks output {output_prefix} (the Data page changed: update load.py)")
    return found[0]


def _payload(dependency: dict, values: dict, changed: list[str]) -> dict:
    """The body the browser posts for ``dependency``: pattern-matching (ALL) inputs match nothing on a fresh page."""
    outputs = [dict(zip(("id", "property"), item.split(".", 1)))
               for item in dependency["output"].strip(".").split("...")]

    def filled(items):
        return [[] if item["id"].startswith("{") else
                {"id": item["id"], "property": item["property"], "value": values.get(f"{item['id']}.{item['property']}")}
                for item in items]

    payload = {"output": dependency["output"], "outputs": outputs if dependency["output"].startswith("..") else
               outputs[0], "inputs": filled(dependency["inputs"]), "changedPropIds": changed}
    if dependency["state"]:
        payload["state"] = filled(dependency["state"])
    return payload


def page_load(dependencies: list[dict]) -> list[Step]:
    """The requests Chromium sends to open the Data page on the table (as recorded with Playwright), less the
    scripts, styles and fonts, which have versioned URLs and come from the browser's cache after the first visit."""
    column_state = [{"colId": name, "hide": False, "sort": None, "sortIndex": None} for name in COLUMNS]
    values = {"_pages_location.pathname": "/data", "_pages_location.search": "?" + PAGE.split("?", 1)[1],
              "data-values-column.value": "id", "data-values-list.value": [], "data-grid.filterModel": {},
              "data-search.value": "", "data-tabs.active_tab": "rows", "data-values-store.data": {},
              "data-view.data": VIEW}
    view = _callback(dependencies, "data-view.data@")

    def post(name: str, payload: dict) -> Step:
        return Step(name, "POST", "_dash-update-component", json.dumps(payload).encode())

    return [
        Step("page", "GET", PAGE), Step("layout", "GET", "_dash-layout"),
        Step("dependencies", "GET", "_dash-dependencies"),
        post("content", _payload(_callback(dependencies, "_pages_content.children"), values,
                                 ["_pages_location.pathname", "_pages_location.search"])),
        post("values", _payload(_callback(dependencies, "data-values-store.data@"), values, [])),
        post("count", _payload(_callback(dependencies, "data-count.children"), values, [])),
        post("view", _payload(view, values, ["data-values-store.data"])),
        post("view", _payload(view, {**values, "data-grid.columnState": column_state}, ["data-grid.columnState"])),
    ]


class Blocks:
    """The grid's request for rows [start, start + 100), as in tests/db/test_data_hostile.py ``rows_request``."""

    def __init__(self, dependencies: list[dict]) -> None:
        self.dependency = _callback(dependencies, "data-grid.getRowsResponse")

    def __call__(self, start: int) -> Step:
        request = {"startRow": start, "endRow": start + BLOCK, "sortModel": [], "filterModel": {}, "api": {}}
        payload = _payload(self.dependency, {"data-grid.getRowsRequest": request, "data-view.data": VIEW,
                                             "data-search.value": "", "data-values-store.data": {}},
                           ["data-grid.getRowsRequest"])
        return Step("block", "POST", "_dash-update-component", json.dumps(payload).encode(), start)


def capture(base: str, steps: list[Step], folder: Path) -> None:
    """Save the app's answers to a page load's requests, bytes as sent, for the bare app to send back."""
    folder.mkdir(parents=True, exist_ok=True)
    session, index = requests.Session(), {}
    for step in steps:
        response = session.request(step.method, base + step.path, data=step.body, stream=True, timeout=TIMEOUT_S,
                                   headers={"Accept-Encoding": BROWSER_ENCODINGS, "Content-Type": "application/json"})
        response.raise_for_status()
        (folder / step.name).write_bytes(response.raw.read(decode_content=False))
        index[step.name] = {key: response.headers[key] for key in ("Content-Type", "Content-Encoding")
                            if key in response.headers}
    (folder / "index.json").write_text(json.dumps(index))


# ---- simulated users (asyncio + aiohttp) ------------------------------------------------------------

@dataclass
class Record:
    """What one phase measured: (ended at, name, milliseconds) of each answer in the window, and every error."""

    answers: list[tuple[float, str, float]] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    first_errors: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        key = what.split(":", 1)[0]
        self.errors[key] = self.errors.get(key, 0) + 1
        if len(self.first_errors) < 5:
            self.first_errors.append(what)


def _block_problem(body: bytes, start: int, rows: int) -> str | None:
    """Why a block answer is wrong (None when it has the rows asked for, in order)."""
    answer = json.loads(body)
    if "sideUpdate" in answer:
        return f"block {start}: the page showed a problem: {json.dumps(answer['sideUpdate'])[:200]}"
    data = answer["response"]["data-grid"]["getRowsResponse"]["rowData"]
    if len(data) != min(BLOCK, rows - start) or (data and data[0]["id"] != start + 1):
        return f"block {start}: {len(data)} rows from id {data[0]['id'] if data else None}"
    return None


class Target:
    """Where a phase's requests go: the app (Dash paths) or the bare app (its own paths for the same requests)."""

    def __init__(self, base: str, bare: bool) -> None:
        self.base, self.bare = base, bare

    def url(self, step: Step) -> str:
        if not self.bare:
            return self.base + step.path
        return self.base + ("block" if step.name == "block" else f"captured/{step.name}")


async def _one(session: aiohttp.ClientSession, target: Target, step: Step, record: Record,
               window: tuple[float, float], rows: int) -> None:
    """One request; an answer is counted when it ends inside the measured window, an error wherever it happens."""
    began = time.perf_counter()
    try:
        async with session.request(step.method, target.url(step), data=step.body) as response:
            body = await response.read()
            if response.status != 200:
                record.error(f"HTTP {response.status}: {step.name} {body[:200]!r}")
                return
        problem = _block_problem(body, step.start, rows) if step.start is not None else None
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError) as error:
        problem = f"{type(error).__name__}: {step.name} {error}"
    ended = time.perf_counter()
    if problem:
        record.error(problem)
    elif window[0] <= ended <= window[1]:
        record.answers.append((ended, step.name, (ended - began) * 1000))


async def _user(target: Target, steps: Iterator[Step], rows: int, window: tuple[float, float],
                record: Record) -> None:
    connector = aiohttp.TCPConnector(limit=1)  # one keep-alive connection, one request at a time, like the grid
    headers = {"Accept-Encoding": BROWSER_ENCODINGS, "Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=connector, headers=headers,
                                     timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as session:
        while time.perf_counter() < window[1]:
            await _one(session, target, next(steps), record, window, rows)


def user_steps(seed: int, visit: list[Step], blocks: Blocks, rows: int) -> Iterator[Step]:
    """One user's requests, for ever: open the page, then random depths each followed by a few blocks on, again.

    The user starts at a random point of its first visit, so that from the first second the users together
    send the mix of requests they send over time (not only page loads, which a slow server would otherwise
    serve most of in a short window). The same seed gives the same requests, whichever server answers them.
    """
    rng = random.Random(seed)
    cycle = itertools.chain.from_iterable(visit + [blocks(start) for start in _jumps(rng, rows)]
                                          for _ in itertools.count())
    return itertools.islice(cycle, rng.randrange(len(visit) + JUMPS_PER_VISIT * sum(SCROLL_BLOCKS) // 2), None)


def _jumps(rng: random.Random, rows: int) -> list[int]:
    """Block starts of one visit after its first block: random depths, each followed by a few blocks on."""
    starts = []
    for _ in range(JUMPS_PER_VISIT):
        depth = rng.randrange(rows // BLOCK) * BLOCK
        starts += [start for start in range(depth, depth + rng.randint(*SCROLL_BLOCKS) * BLOCK, BLOCK) if start < rows]
    return starts


@dataclass
class Phase:
    """One load on one server: figures over the measured window."""

    name: str
    seconds: float
    record: Record
    client_cpu_s: float
    server_cpu_s: float

    @property
    def requests(self) -> int:
        return len(self.record.answers)

    @property
    def errors(self) -> int:
        return sum(self.record.errors.values())

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def blocks_ms(self) -> list[float]:
        return [ms for _, name, ms in self.record.answers if name == "block"]

    def percentile(self, share: float) -> float | None:
        times = sorted(self.blocks_ms())
        if not times:
            return None
        return times[min(len(times) - 1, round(share * (len(times) - 1)))]

    def cpu_ms_per_request(self, seconds: float) -> float:
        return seconds * 1000 / max(self.requests, 1)


def settle(pid: int, timeout_s: float = 120) -> None:
    """Wait until a server and its worker processes are idle: gunicorn's workers load the app each on its own
    after the first answers, and a worker still loading would count in the measured window."""
    deadline, last = time.monotonic() + timeout_s, process_cpu_s(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = process_cpu_s(pid)
        if now - last < 0.05:
            return
        last = now


def process_cpu_s(pid: int) -> float:
    """CPU seconds of a server process and all its children (gunicorn's workers) so far."""
    try:
        process = psutil.Process(pid)
        total = 0.0
        for item in [process, *process.children(recursive=True)]:
            times = item.cpu_times()
            total += times.user + times.system
        return total
    except psutil.Error:
        return 0.0


def drive(target: Target, server_pid: int, users: list[Iterator[Step]], rows: int, seconds: float,
          warmup: float) -> Phase:
    """The users, each going on with its own requests, for ``warmup`` seconds and then ``seconds`` measured."""
    record = Record()
    cpu = {}

    async def run() -> None:
        measure_from = time.perf_counter() + warmup
        end = measure_from + seconds
        tasks = [asyncio.create_task(_user(target, steps, rows, (measure_from, end), record)) for steps in users]
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        cpu["client"], cpu["server"] = time.process_time(), process_cpu_s(server_pid)
        await asyncio.sleep(max(0.0, end - time.perf_counter()))
        cpu["client"], cpu["server"] = time.process_time() - cpu["client"], process_cpu_s(server_pid) - cpu["server"]
        await asyncio.gather(*tasks)

    asyncio.run(run())
    return Phase("", seconds, record, cpu["client"], cpu["server"])


def alternate(loads: list[tuple[str, Target, int]], dependencies: list[dict], args: argparse.Namespace,
              users: int) -> list[Phase]:
    """Each (name, target, server pid) loaded in turn, ``args.rounds`` times, for ``args.seconds`` in all each.

    Taking turns in short slices puts the app and the bare route under the same conditions where other
    programs share the machine: a slow spell falls on both.
    """
    phases = {name: Phase(name, 0.0, Record(), 0.0, 0.0) for name, _, _ in loads}
    blocks = Blocks(dependencies)
    visit = ([] if args.scroll_only else page_load(dependencies)) + [blocks(0)]
    steps = {name: [user_steps(args.seed * 100_003 + number, visit, blocks, args.rows) for number in range(users)]
             for name, _, _ in loads}  # the same users for every target, each going on where it stopped
    for number in range(args.rounds):
        for name, target, pid in loads:
            warmup = args.warmup if number == 0 else min(1.0, args.warmup)
            part = drive(target, pid, steps[name], args.rows, args.seconds / args.rounds, warmup)
            merged = phases[name]
            merged.seconds += part.seconds
            merged.client_cpu_s += part.client_cpu_s
            merged.server_cpu_s += part.server_cpu_s
            merged.record.answers += part.record.answers
            for key, count in part.record.errors.items():
                merged.record.errors[key] = merged.record.errors.get(key, 0) + count
            merged.record.first_errors = (merged.record.first_errors + part.record.first_errors)[:5]
    return [phases[name] for name, _, _ in loads]


# ---- servers ---------------------------------------------------------------------------------------

class Servers:
    """The processes a run starts, with their logs in the run's temporary directory; all stopped at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.processes = folder, []

    def start(self, name: str, command: list[str], environment: dict, ready_url: str | None) -> subprocess.Popen:
        log_file = (self.folder / f"{name}.log").open("w")
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log_file, stderr=subprocess.STDOUT)
        log_file.close()
        self.processes.append(process)
        if ready_url:
            try:
                wait_for(ready_url, process)
            except RuntimeError as error:
                tail = (self.folder / f"{name}.log").read_text()[-2000:]
                raise RuntimeError(f"{name}: {error}\n{tail}") from None
        return process

    def stop(self, process: subprocess.Popen) -> None:
        stop(process)
        self.processes.remove(process)

    def stop_all(self) -> None:
        for process in list(self.processes):
            self.stop(process)


def environment(args: argparse.Namespace, data_dir: Path) -> dict:
    """The app's settings for the mode: only DASH_APP_* variables set here (the caller's are dropped)."""
    result = {key: value for key, value in os.environ.items() if not key.startswith("DASH_APP_")}
    result.update(DASH_APP_DATA_DIR=str(data_dir), DASH_APP_DEMO_ROWS=str(args.rows))
    if args.mode == "scaled":
        result.update(DASH_APP_BACKGROUND="celery", DASH_APP_REDIS_URL=args.redis_url,
                      DASH_APP_STORE_URL=args.store_url)
    return result


def bare_environment(database: Path, captured: Path) -> dict:
    return {**os.environ, "LOAD_BARE_DB": str(database), "LOAD_BARE_CAPTURED": str(captured),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH", "")])}


def gunicorn(port: int, workers: int, threads: int, application: str) -> list[str]:
    """The gunicorn command of the scaled mode: ``workers`` processes of ``threads`` threads each (gthread)."""
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--threads", str(threads), "--log-level", "warning", application]


def build_demo(data_dir: Path, rows: int) -> Path:
    """The demo database of ``rows`` order lines in the run's data directory, built before any clock starts."""
    from dash_app.demo import ensure_demo_database
    from dash_app.settings import DEMO_DATABASE_FILE

    path = data_dir / DEMO_DATABASE_FILE
    began = time.perf_counter()
    ensure_demo_database(path, rows)
    log(f"demo database: {rows:,} order lines built in {time.perf_counter() - began:.1f} s")
    return path


# ---- report ------------------------------------------------------------------------------------------

def describe(phase: Phase) -> str:
    p50, p95, p99 = (phase.percentile(share) for share in (0.5, 0.95, 0.99))
    blocks = f"{p50:7.1f} {p95:7.1f} {p99:7.1f}" if p50 is not None else "      -       -       -"
    return (f"  {phase.name:<16} {phase.throughput:9.1f} {len(phase.blocks_ms()) / phase.seconds:9.1f}   {blocks} "
            f"{phase.errors:7d}   {phase.cpu_ms_per_request(phase.server_cpu_s):6.2f} | "
            f"{phase.cpu_ms_per_request(phase.client_cpu_s):5.2f}")


def header() -> str:
    return ("                   requests/s  blocks/s   blocks p50/p95/p99 ms  errors   CPU ms/request "
            "(servers | client)")


def report_errors(phase: Phase) -> None:
    if phase.errors:
        log(f"  {phase.name} errors: {phase.record.errors}; first: {phase.record.first_errors}")


def client_check(phases: list[Phase]) -> float:
    """The client's busiest share of one core in any phase; printed with a warning when it may cap the figures.

    The users run on one asyncio loop: near a whole core, the client would set the pace instead of the servers.
    """
    busiest = max(phase.client_cpu_s / phase.seconds for phase in phases)
    log(f"client: at most {busiest:.0%} of one core in a phase ({os.cpu_count()} cores here); the servers used "
        f"{max(phase.server_cpu_s / phase.seconds for phase in phases):.0%} of one core at most")
    if busiest > 0.8:
        log("  warning: the client is busy enough to cap the figures (fewer --users, or a bigger machine)")
    return busiest


def breakdown(base: str, pid: int, bare_base: str, bare_pid: int, dependencies: list[dict], rows: int,
              repeat: int) -> dict:
    """Server CPU per request of each kind, the requests sent one at a time (``--breakdown``): where the time goes.

    CPU time, unlike the clock, does not count time the server waited for a core that other programs held.
    """
    session, blocks, rng = requests.Session(), Blocks(dependencies), random.Random(1)
    headers = {"Accept-Encoding": BROWSER_ENCODINGS, "Content-Type": "application/json"}

    def cpu_ms(target: Target, server_pid: int, steps: list[Step]) -> float:
        session.request(steps[0].method, target.url(steps[0]), data=steps[0].body, headers=headers, timeout=TIMEOUT_S)
        before = process_cpu_s(server_pid)
        for step in steps:
            session.request(step.method, target.url(step), data=step.body, headers=headers,
                            timeout=TIMEOUT_S).raise_for_status()
        return round((process_cpu_s(server_pid) - before) * 1000 / len(steps), 2)

    app, bare = Target(base, bare=False), Target(bare_base, bare=True)
    figures = {}
    for step in page_load(dependencies):
        figures.setdefault(step.name, cpu_ms(app, pid, [step] * repeat))
    many = repeat * 10  # a block costs about a millisecond, and CPU time is counted in ticks of 10 ms
    depths = [rng.randrange(rows // BLOCK) * BLOCK for _ in range(many)]
    on = [blocks(start) for start in range(0, rows, BLOCK)][:many]
    for name, steps in (("block at a random depth", [blocks(depth) for depth in depths]), ("next block", on)):
        if steps:
            figures[name] = cpu_ms(app, pid, steps)
            figures[f"{name}, bare"] = cpu_ms(bare, bare_pid, steps)
    log(f"server CPU per request, ms, {repeat} of each kind of the page's requests and {many} blocks, one at a time: "
        + ", ".join(f"{name} {value}" for name, value in figures.items()))
    return figures


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


# ---- modes -------------------------------------------------------------------------------------------

def run_default(args: argparse.Namespace, folder: Path, servers: Servers) -> dict:
    data_dir = folder / "data"
    database = build_demo(data_dir, args.rows)
    app_port, bare_port = free_port(), free_port()
    base, bare_base = f"http://127.0.0.1:{app_port}/", f"http://127.0.0.1:{bare_port}/"
    app = servers.start("app", [sys.executable, "-m", "dash_app", "--port", str(app_port), "--data-dir",
                                str(data_dir), "--demo-rows", str(args.rows)], environment(args, data_dir), base)
    dependencies = requests.get(base + "_dash-dependencies", timeout=TIMEOUT_S).json()
    capture(base, page_load(dependencies), folder / "captured")
    bare = servers.start("bare", [sys.executable, str(ROOT / "benchmarks" / "bare_load.py"), str(database),
                                  str(folder / "captured"), str(bare_port), str(SERVER_THREADS)],
                         bare_environment(database, folder / "captured"), bare_base)
    log(f"default mode: python -m dash_app (waitress, {SERVER_THREADS} threads, diskcache, SQLite store) against "
        f"bare Flask on waitress ({SERVER_THREADS} threads); {args.users} users, {args.seconds:g} s each after "
        f"{args.warmup:g} s of warm-up")
    app_phase, bare_phase = alternate([("app", Target(base, bare=False), app.pid),
                                       ("bare Flask", Target(bare_base, bare=True), bare.pid)],
                                      dependencies, args, args.users)
    log(header())
    for phase in (app_phase, bare_phase):
        log(describe(phase))
        report_errors(phase)
    busiest = client_check([app_phase, bare_phase])
    result = summary(args, app_phase, bare_phase, busiest, workers=1, threads=SERVER_THREADS)
    if args.breakdown:
        result["cpu_ms_by_kind"] = breakdown(base, app.pid, bare_base, bare.pid, dependencies, args.rows, args.breakdown)
    return result


def run_scaled(args: argparse.Namespace, folder: Path, servers: Servers) -> dict:
    data_dir = folder / "data"
    database = build_demo(data_dir, args.rows)
    settings = environment(args, data_dir)
    prepared = subprocess.run(
        [sys.executable, "-c", "from dash_app import startup; from dash_app.settings import load_settings; "
                               "startup.prepare(load_settings(), print)"],
        cwd=ROOT, env=settings, capture_output=True, text=True, timeout=600)
    if prepared.returncode:
        raise RuntimeError(f"the scaled mode's settings do not start: {prepared.stderr.strip().splitlines()[-1:]}")
    celery = servers.start("celery", [sys.executable, "-m", "celery", "-A", "dash_app.worker", "worker",
                                      "--concurrency", "1", "--loglevel", "WARNING"], settings, None)
    counts = [1, args.workers] if args.workers > 1 else [1]
    log(f"scaled mode: gunicorn 'dash_app.wsgi:application' ({'then '.join(f'{n} worker(s) ' for n in counts)}"
        f"x {args.threads} threads), a Celery worker, Redis, PostgreSQL store, against bare Flask on the same "
        f"gunicorn; {args.users} users, {args.seconds:g} s each after {args.warmup:g} s of warm-up")
    phases: dict[int, tuple[Phase, Phase]] = {}
    captured = folder / "captured"
    for workers in counts:
        app_port, bare_port = free_port(), free_port()
        base, bare_base = f"http://127.0.0.1:{app_port}/", f"http://127.0.0.1:{bare_port}/"
        app = servers.start(f"app-{workers}", gunicorn(app_port, workers, args.threads, "dash_app.wsgi:application"),
                            settings, base)
        settle(app.pid)
        dependencies = requests.get(base + "_dash-dependencies", timeout=TIMEOUT_S).json()
        if not captured.exists():
            capture(base, page_load(dependencies), captured)
        bare = servers.start(f"bare-{workers}", gunicorn(bare_port, workers, args.threads, "bare_load:application"),
                             bare_environment(database, captured), bare_base)
        settle(bare.pid)
        app_phase, bare_phase = alternate([(f"app, {workers} worker(s)", Target(base, bare=False), app.pid),
                                           (f"bare, {workers} worker(s)", Target(bare_base, bare=True), bare.pid)],
                                          dependencies, args, args.users)
        phases[workers] = (app_phase, bare_phase)
        if args.breakdown and workers == counts[-1]:
            by_kind = breakdown(base, app.pid, bare_base, bare.pid, dependencies, args.rows, args.breakdown)
        servers.stop(app)
        servers.stop(bare)
    if celery.poll() is not None:
        raise RuntimeError(f"the Celery worker stopped ({celery.returncode}): {(folder / 'celery.log').read_text()[-2000:]}")
    log(header())
    for app_phase, bare_phase in phases.values():
        for phase in (app_phase, bare_phase):
            log(describe(phase))
            report_errors(phase)
    most = phases[counts[-1]]
    busiest = client_check([phase for pair in phases.values() for phase in pair])
    result = summary(args, most[0], most[1], busiest, workers=counts[-1], threads=args.threads)
    result["errors"] = sum(pair[0].errors for pair in phases.values())
    result["bare_errors"] = sum(pair[1].errors for pair in phases.values())
    if args.breakdown:
        result["cpu_ms_by_kind"] = by_kind
    if len(counts) > 1:
        result["workers_2_vs_1"] = ratio(phases[counts[-1]][0].throughput, phases[1][0].throughput)
        result["bare_workers_2_vs_1"] = ratio(phases[counts[-1]][1].throughput, phases[1][1].throughput)
        log(f"from 1 to {counts[-1]} web workers: app throughput x{result['workers_2_vs_1']}, "
            f"bare x{result['bare_workers_2_vs_1']}")
    return result


def summary(args: argparse.Namespace, app: Phase, bare: Phase, client_share: float, workers: int,
            threads: int) -> dict:
    versus = ratio(app.throughput, bare.throughput)
    app_cpu, bare_cpu = app.cpu_ms_per_request(app.server_cpu_s), bare.cpu_ms_per_request(bare.server_cpu_s)
    log(f"app / bare throughput: {versus} (target >= {TARGET_VS_BARE}); app errors: {app.errors} (target 0)")
    log(f"bare / app server CPU per request: {ratio(bare_cpu, app_cpu)} (what the throughput ratio tends to where the "
        f"servers have the cores to themselves and are saturated)")

    def rounded(value: float | None) -> float | None:
        return round(value, 1) if value is not None else None

    return {"benchmark": "load", "mode": args.mode, "users": args.users, "errors": app.errors,
            "throughput_vs_bare": versus, "p95_ms": rounded(app.percentile(0.95)),
            "workers_2_vs_1": None, "p50_ms": rounded(app.percentile(0.5)), "p99_ms": rounded(app.percentile(0.99)),
            "bare_p95_ms": rounded(bare.percentile(0.95)), "app_rps": round(app.throughput, 1),
            "blocks_vs_bare": ratio(len(app.blocks_ms()) / app.seconds, len(bare.blocks_ms()) / bare.seconds),
            "bare_rps": round(bare.throughput, 1), "bare_errors": bare.errors, "workers": workers,
            "threads": threads, "rows": args.rows, "seconds": args.seconds, "cores": os.cpu_count(),
            "client_core_share": round(client_share, 3),
            "cpu_vs_bare": ratio(bare_cpu, app_cpu), "app_cpu_ms_per_request": round(app_cpu, 2),
            "bare_cpu_ms_per_request": round(bare_cpu, 2), "scroll_only": args.scroll_only}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["default", "scaled"], default="default")
    parser.add_argument("--users", type=int, help="simulated users (default 50, scaled 200)")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per server (default 30)")
    parser.add_argument("--warmup", type=float, help="seconds of load before measuring (default seconds/6, 1 to 5)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="order lines of the demo table (default 1M)")
    parser.add_argument("--workers", type=int, default=2, help="scaled mode: most web workers (runs 1, then this)")
    parser.add_argument("--threads", type=int, default=SERVER_THREADS,
                        help=f"scaled mode: threads per web worker (default {SERVER_THREADS}, as waitress has)")
    parser.add_argument("--redis-url", default=os.environ.get("DASH_APP_REDIS_URL"), help="scaled mode's Redis")
    parser.add_argument("--store-url", default=os.environ.get("DASH_APP_STORE_URL"),
                        help="scaled mode's PostgreSQL store (SQLAlchemy URL)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="app and bare take turns this many times, --seconds/rounds each turn (default 3)")
    parser.add_argument("--scroll-only", action="store_true",
                        help="users only scroll (no page loads): the grid's rows callback against the bare route alone")
    parser.add_argument("--breakdown", type=int, default=0, metavar="N",
                        help="then time the server CPU of N requests of each kind (10 N blocks), one at a time: where "
                             "the time goes (CPU time is counted in ticks of 10 ms: N of 50 or more)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the users' jumps (the same for app and bare)")
    args = parser.parse_args(argv)
    if args.users is None:
        args.users = 200 if args.mode == "scaled" else 50
    if args.warmup is None:
        args.warmup = max(1.0, min(5.0, args.seconds / 6))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.mode == "scaled" and not (args.redis_url and args.store_url):
        log("scaled mode skipped: set DASH_APP_REDIS_URL and DASH_APP_STORE_URL (or --redis-url and --store-url)")
        print(json.dumps({"benchmark": "load", "mode": "scaled", "users": args.users, "skipped": "no Redis or store URL"}))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="dash-app-load-"))
    servers = Servers(folder)
    try:
        result = (run_scaled if args.mode == "scaled" else run_default)(args, folder, servers)
    finally:
        servers.stop_all()
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
