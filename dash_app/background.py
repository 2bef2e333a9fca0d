"""The Dash background callback manager, chosen by settings: diskcache on a laptop, Celery with Redis beyond.

Built by the factory, never at import, so that importing the package starts no cache and opens no
connection. Celery workers import :mod:`dash_app.worker`, which builds the same app and so registers
the same background callbacks.
"""

from __future__ import annotations

from dash import CeleryManager, DiskcacheManager

from dash_app.settings import Settings, redacted_url

# Results of finished background callbacks are kept this long (seconds) for the page to pick up.
RESULT_EXPIRY_S = 24 * 3600


class BackgroundUnavailable(RuntimeError):
    """The configured background manager cannot run jobs (for example Redis does not answer)."""


def build_background_manager(settings: Settings) -> DiskcacheManager | CeleryManager:
    """Return the manager that runs background callbacks for these settings."""
    if settings.background == "celery":
        return CeleryManager(build_celery(settings), expire=RESULT_EXPIRY_S)
    import diskcache  # imported here: a Celery deployment need not have a local cache

    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    return DiskcacheManager(diskcache.Cache(str(settings.cache_dir)), expire=RESULT_EXPIRY_S)


def build_celery(settings: Settings):
    """Return a Celery application using Redis as broker and result backend."""
    from celery import Celery

    celery_app = Celery("dash_app", broker=settings.redis_url, backend=settings.redis_url)
    celery_app.conf.update(
        broker_connection_retry_on_startup=True,
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        worker_concurrency=settings.max_concurrent_jobs,
    )
    return celery_app


def check_background(settings: Settings, timeout_s: float = 3.0) -> str:
    """Describe the background manager after checking it can work; raise BackgroundUnavailable if not."""
    if settings.background == "diskcache":
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        return f"diskcache in {settings.cache_dir}"
    import redis

    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
    try:
        client.ping()
    except redis.RedisError as error:
        msg = f"DASH_APP_REDIS_URL: Redis at {redacted_url(settings.redis_url)} does not answer ({error})"
        raise BackgroundUnavailable(msg) from None
    finally:
        client.close()
    return f"celery with Redis at {redacted_url(settings.redis_url)}"
