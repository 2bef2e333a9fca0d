"""Redis or PostgreSQL stopped while the app runs: the pages say so within seconds and recover by themselves.

The test starts its own Redis and PostgreSQL (the shared ones of the other tests must stay up), stops each by
its pid while the app runs, asks for what a user would (the Training page's runs list, a grid block, a Compose
save), starts it again and asks again, in the same app: nothing is restarted.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from dash_app import create_app
from dash_app.callbacks import compose_actions, data_grid, training_live
from dash_app.components import data as data_views
from dash_app.compose import edit
from dash_app.settings import load_settings
from dash_app.workbench import Workbench, get_workbench
from tests.unit.runs_support import wait_until
from tests.unit.data_support import press_run_chart

FEW_SECONDS = 10  # the most a request may take while a service is down: its timeouts are shorter
GRID_VIEW = {"db": "pg", "table": "items", "view": {}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def ended(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class OwnRedis:
    def __init__(self, folder: Path) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("no redis-server to start a Redis of the test's own")
        self.port, self.folder, self.process = free_port(), folder, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.folder)], stdout=subprocess.DEVNULL)
        wait_until(lambda: answers(self.port), 30)

    def stop(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


class OwnPostgres:
    """A PostgreSQL cluster of the test's own, run as the postgres user when the tests run as root."""

    def __init__(self, folder: Path) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin")) or [os.path.dirname(shutil.which("initdb") or "")]
        self.bin = Path(binaries[-1])
        if not (self.bin / "initdb").exists():
            pytest.skip("no PostgreSQL server binaries (initdb) to start a server of the test's own")
        self.folder, self.port = folder, free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user and not _has_user("postgres"):
            pytest.skip("running as root with no postgres user to run a PostgreSQL server of the test's own")
        folder.mkdir()
        if self.as_user:
            folder.chmod(0o755)
            os.chown(folder, pwd.getpwnam("postgres").pw_uid, -1)
        subprocess.run([*self.as_user, str(self.bin / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
                        "-A", "trust", "--encoding=UTF8"], check=True, capture_output=True, cwd="/")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        subprocess.Popen([*self.as_user, str(self.bin / "postgres"), "-D", str(self.folder / "data"), "-p",
                          str(self.port), "-k", str(self.folder), "-c", "listen_addresses=127.0.0.1"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/")
        wait_until(self._accepts, 60)

    def _accepts(self) -> bool:
        """Whether the server takes connections (its port opens before it does, while it starts up)."""
        result = subprocess.run([str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                                capture_output=True, check=False)
        return result.returncode == 0

    def stop(self) -> None:
        """Stop the server by its pid (a fast shutdown: sessions are cut), and wait until it is gone."""
        pid = int((self.folder / "data" / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGINT)
        wait_until(lambda: ended(pid), 60)


@pytest.fixture
def services():
    folder = Path(tempfile.mkdtemp(prefix="outages-"))
    folder.chmod(0o755)  # the postgres user reaches its folder inside
    started = []
    try:
        postgres, redis = OwnPostgres(folder / "pg"), OwnRedis(folder)
        for server in (redis, postgres):
            server.start()
            started.append(server)
        engine = sa.create_engine(postgres.url)
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE items (id integer PRIMARY KEY, name text)"))
            connection.execute(sa.text("INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 500) i"))
        engine.dispose()
        yield redis, postgres
    finally:
        for server in started:
            try:
                server.stop()
            except (ProcessLookupError, FileNotFoundError):
                pass  # already stopped by the test
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def scaled_app(services, tmp_path):
    redis, postgres = services
    settings = load_settings(data_dir=tmp_path / "data", store_url=postgres.url, databases={"pg": postgres.url},
                             shared_cache="redis", redis_url=redis.url)
    app = create_app(settings)
    get_workbench(app.server).data.shared.retry_after_s = 0  # try Redis again at once: the test need not wait
    yield app
    get_workbench(app.server).dispose()


def timed(request, *arguments):
    started = time.monotonic()
    result = request(*arguments)
    assert time.monotonic() - started < FEW_SECONDS, f"{request.__name__} waited for a service that is down"
    return result


def runs_list() -> dict:
    return training_live.refresh(1, None, None)


def grid_block(start: int = 0) -> tuple[dict, Exception | None]:
    return data_grid.answer_block({"startRow": start, "endRow": start + 100}, GRID_VIEW, "", {})


def compose_save(name: str) -> str:
    outcome = compose_actions.on_saved("save", name, None, edit.new_scene(), None, get_workbench().compose, None)
    return outcome.message[1]


def unavailable(answer: dict) -> bool:
    return "Service unavailable: the run store does not answer" in str(answer["cards"])


def test_postgresql_stopped_and_started_again(scaled_app, services):
    _, postgres = services
    with scaled_app.server.test_request_context("/"):
        assert not unavailable(timed(runs_list)) and timed(grid_block)[0]["rowData"]
        postgres.stop()
        assert unavailable(timed(runs_list)), "the runs list says the store is unavailable"
        response, problem = timed(grid_block, 100)
        assert response == {"rowData": [], "rowCount": 0} and "could not answer" in str(problem)
        summary = timed(data_views.view_summary, {**GRID_VIEW, "view": {"q": "x"}})  # a view not counted yet
        assert "could not answer" in str(summary["grid_note"]) and summary["export_note"] is None, \
            "the reason shows once, where the failing block puts its own"
        assert summary["csv_href"] is None and "disabled" in summary["csv_class"] + summary["xlsx_class"]
        assert timed(compose_save, "Poster") == "Saved “Poster”.", "Compose keeps its files without the store"
        postgres.start()
        answer = timed(runs_list)
        assert not unavailable(answer) and answer["rows"] == [] and answer["signature"] is not None
        response, problem = timed(grid_block, 100)
        assert problem is None and [row["id"] for row in response["rowData"]] == list(range(101, 201))


def test_redis_stopped_and_started_again(scaled_app, services):
    redis, _ = services
    settings = get_workbench(scaled_app.server).settings
    with scaled_app.server.test_request_context("/"):
        assert timed(grid_block)[1] is None
        redis.stop()
        response, problem = timed(grid_block, 100)
        assert problem is None and [row["id"] for row in response["rowData"]] == list(range(101, 201))
        assert not unavailable(timed(runs_list)) and timed(compose_save, "Poster") == "Saved “Poster”."
        redis.start()
        timed(grid_block, 200)  # its end (300) goes to Redis again
    other = Workbench(settings)  # another web worker: it continues from the place the first one shared
    try:
        table, spec = other.data.view("pg", "items", {})
        block = other.data.block("pg", table, spec, 300, 400)
        assert block.used_keyset and other.data.shared_keyset_hits == 1
        assert [row["id"] for row in block.rows] == list(range(301, 401))
    finally:
        other.dispose()


def test_start_with_celery_keeps_the_run_queued_while_redis_is_stopped(services, tmp_path):
    from tests.unit.test_runs_pages import _json, _press_start

    redis, _ = services
    app = create_app(load_settings(data_dir=tmp_path / "data", background="celery", redis_url=redis.url))
    try:
        with app.server.test_request_context("/"):
            redis.stop()
            waiting = timed(_press_start, 2)
            assert "Run #1 queued, but the job queue does not answer right now" in _json(waiting["message"])
            assert "RuntimeError" not in _json(waiting["message"])
            assert get_workbench(app.server).runs.get(1).status == "queued", "a worker sends it once Redis is back"
            redis.start()
            queued = timed(_press_start, 2)
            # The queue answers again, with no restart; no worker is started here, and the message says so.
            assert "Run #2 queued, but no training worker is running" in _json(queued["message"])
            cards = _json(timed(runs_list)["cards"])  # the real launcher asks the real Redis
            assert "Waiting for a training worker: none is running" in cards and "free slot" not in cards
    finally:
        get_workbench(app.server).dispose()


def test_a_chart_says_the_job_queue_does_not_answer_while_redis_is_stopped(services, tmp_path):
    redis, _ = services
    app = create_app(load_settings(data_dir=tmp_path / "data", background="celery", redis_url=redis.url))
    try:
        redis.stop()
        response = timed(press_run_chart, app, GRID_VIEW, "kind")
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert "Service unavailable: the job queue does not answer" in response.get_data(as_text=True)
        redis.start()
        # Asked again, with no restart: Redis answers, and says that no worker runs (none is started here).
        wait_until(lambda: "no worker is running to draw the chart" in
                   press_run_chart(app, GRID_VIEW, "kind").get_data(as_text=True))
        import redis as redis_client

        from dash_app.background import say_worker_lives

        with redis_client.Redis.from_url(redis.url) as client:
            say_worker_lives(client, "a worker")  # as a worker's reaper says it
        assert (press_run_chart(app, GRID_VIEW, "kind").get_json() or {}).get("job"), "sent, for the worker"
    finally:
        get_workbench(app.server).dispose()


def _train_held(url: str, run_id: int, data_dir: str) -> None:
    """A job as the app starts one, held before each epoch it is not yet allowed (executor.EpochHold)."""
    from dash_app.runs.executor import execute_run
    from dash_app.runs.store import open_store

    execute_run(open_store(url), run_id, data_dir=Path(data_dir), max_running=1, databases={},
                holds_dir=Path(data_dir) / "holds", heartbeat_s=0.2)


def test_a_run_trains_on_while_postgresql_restarts_and_its_end_is_written_after(services, tmp_path):
    """The store stopped mid-run: the job keeps training, and its epochs and its end reach the store once it is
    back; the run is not failed, nor given up for a silence that was the store's."""
    import multiprocess

    from dash_app.jobs.config import TrainConfig
    from dash_app.runs.control import reap
    from dash_app.runs.executor import run_folder
    from dash_app.runs.store import open_store
    from tests.unit.runs_support import allow_epochs

    _, postgres = services
    store = open_store(postgres.url)
    run_id = store.create_run(TrainConfig(dataset="spirals", epochs=3, spiral_points=60).to_json(), "spirals",
                              user=None, backend="diskcache")
    allow_epochs(tmp_path / "holds", run_id, 1)
    job = multiprocess.get_context("spawn").Process(target=_train_held, args=(postgres.url, run_id, str(tmp_path)))
    job.start()
    try:
        wait_until(lambda: [row["epoch"] for row in store.metrics([run_id])[run_id]] == [1])
        postgres.stop()
        allow_epochs(tmp_path / "holds", run_id, 3)
        # Trained to its end while the store was stopped: its pictures are drawn, its end waits for the store.
        wait_until(lambda: (run_folder(tmp_path, run_id) / "config.json").exists())
        with pytest.raises(sa.exc.OperationalError):
            store.list_runs(active_only=True)  # as the reaper of a worker or a page finds it meanwhile
        postgres.start()
        assert reap(store, store.list_runs(active_only=True), 1.0) == [], "its silence was the store's"
        job.join(120)
        run = store.get(run_id)
        assert run.status == "succeeded", run.error
        assert [row["epoch"] for row in store.metrics([run_id])[run_id]] == [1, 2, 3], "no epoch lost"
        assert len(store.artifacts(run_id)) >= 4
    finally:
        if job.is_alive():
            job.kill()
        store.dispose()
