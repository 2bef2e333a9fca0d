"""Background jobs by configuration alone: diskcache on a laptop, Celery on a real Redis with a real worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from dash import CeleryManager, DiskcacheManager

from dash_app.background import BackgroundUnavailable, build_background_manager, check_background
from dash_app.settings import load_settings
from tests.unit.runs_support import wait_until


def test_diskcache_is_the_default_and_lives_in_the_data_directory(settings):
    manager = build_background_manager(settings)
    assert isinstance(manager, DiskcacheManager)
    assert settings.cache_dir.is_dir()
    assert check_background(settings) == f"diskcache in {settings.cache_dir}"


def test_the_factory_gives_the_app_its_manager(app):
    assert isinstance(app._background_manager, DiskcacheManager)


def test_celery_with_a_reachable_redis(settings, redis_url):
    celery_settings = settings.model_copy(update={"background": "celery", "redis_url": redis_url})
    manager = build_background_manager(celery_settings)
    assert isinstance(manager, CeleryManager)
    assert manager.handle.conf.broker_url == redis_url
    assert check_background(celery_settings).startswith("celery with Redis at redis://127.0.0.1")


def test_a_chart_started_through_one_web_process_is_followed_through_another(tmp_path, redis_url):
    """The page sends a chart's job handle back to whichever web process answers. Every process signs handles
    with the deployment's one secret: also a process started after Dash's own secret in Redis would have
    expired (a day), which would have signed with a secret of its own and ended the chart with nothing."""
    import redis

    from dash_app import create_app
    from dash_app.background import say_worker_lives
    from dash_app.workbench import get_workbench
    from tests.unit.data_support import press_run_chart

    client = redis.Redis.from_url(redis_url)
    client.flushdb()  # no worker takes the chart's job: it stays queued, running as far as the page knows
    say_worker_lives(client, "a worker that takes no job")  # a worker lives, as far as the web processes know
    settings = load_settings(data_dir=tmp_path / "data", background="celery", redis_url=redis_url)
    apps = [create_app(settings)]
    try:
        view = {"db": "demo", "table": "orders", "view": {}}
        started = press_run_chart(apps[0], view, "status").get_json()
        assert started["job"] and started["cacheKey"]
        for key in client.scan_iter("__dash_background*"):
            client.delete(key)  # what a day does to the result store's entries
        apps.append(create_app(settings))  # another web process, started later
        followed = press_run_chart(apps[1], view, "status", started)
        assert followed.status_code == 200, "204: the other process could not read the handle, the chart ends"
        assert "response" not in followed.get_json(), "still running"
        assert press_run_chart(apps[0], view, "status", started).status_code == 200
    finally:
        for app in apps:
            get_workbench(app.server).dispose()
        client.flushdb()
        client.close()


def test_the_signing_secret_is_written_once_for_every_process_and_readable_by_its_owner_only(settings):
    celery_settings = settings.model_copy(update={"background": "celery", "redis_url": "redis://127.0.0.1:1/0"})
    secrets = {build_background_manager(celery_settings).get_or_create_signing_secret(lambda: "not this")
               for _process in range(3)}
    assert len(secrets) == 1 and "not this" not in secrets and len(secrets.pop()) == 64
    secret_file = settings.data_dir / ".background-signing-secret"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert [path.name for path in settings.data_dir.iterdir() if path.name.startswith(secret_file.name)] == \
        [secret_file.name], "no draft is left behind"


def test_redis_that_does_not_answer_is_one_clear_line(settings):
    down = settings.model_copy(update={"background": "celery", "redis_url": "redis://:pw@127.0.0.1:1/0"})
    with pytest.raises(BackgroundUnavailable) as caught:
        check_background(down, timeout_s=1)
    message = str(caught.value)
    assert message.startswith("DASH_APP_REDIS_URL: Redis at redis://:***@127.0.0.1:1/0 does not answer")
    assert "\n" not in message


def test_start_up_stops_when_celery_is_configured_and_redis_is_down(tmp_path):
    environment = _environment(tmp_path, DASH_APP_BACKGROUND="celery", DASH_APP_REDIS_URL="redis://127.0.0.1:1/0",
                               DASH_APP_DATABASES='{"none": "sqlite:///' + str(tmp_path / "none.sqlite") + '"}')
    result = subprocess.run([sys.executable, "-m", "dash_app", "--port", "1"], env=environment,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "DASH_APP_REDIS_URL" in result.stderr.strip().splitlines()[-1]


def test_a_celery_worker_serves_the_app_by_configuration_alone(tmp_path, redis_url):
    environment = _environment(tmp_path, DASH_APP_BACKGROUND="celery", DASH_APP_REDIS_URL=redis_url)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dash_app.worker", "worker", "--pool", "solo", "--loglevel", "warning",
         "--hostname", f"test-{os.getpid()}@%h"],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    manager = build_background_manager(load_settings(data_dir=tmp_path, background="celery", redis_url=redis_url))
    try:
        replies = []
        deadline = time.monotonic() + 60
        while not replies and time.monotonic() < deadline and worker.poll() is None:
            replies = manager.handle.control.ping(timeout=1)
        assert replies, "the worker never answered a ping"
        assert any(name.startswith(f"test-{os.getpid()}@") for reply in replies for name in reply)
        # It says in Redis that it lives, which a web process reads before it sends a job.
        wait_until(manager.workers.alive, 60)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "Error" not in output, output
    assert not manager.workers.alive(), "a worker that stopped says so: a job sent now would wait for nobody"


def test_the_worker_refuses_to_start_without_celery(tmp_path):
    result = subprocess.run([sys.executable, "-c", "import dash_app.worker"], env=_environment(tmp_path),
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "needs DASH_APP_BACKGROUND=celery" in result.stderr


def _environment(tmp_path, **values: str) -> dict[str, str]:
    return os.environ | {"DASH_APP_DATA_DIR": str(tmp_path / "data"), **values}
