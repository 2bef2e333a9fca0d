"""The settings every process of one deployment must share, as a fingerprint that gives nothing away.

A web server and a Celery worker started with different settings (another store, another data
directory) would split silently: runs queued by one are never seen by the other. Each process
describes its shared settings by short hashes, one per setting, so two processes can say *which*
settings differ without revealing any value (URLs are hashed without their password):

- ``DASH_APP_DATA_DIR`` by the id written once into the shared directory (``.deployment-id``), not by
  its path, which may differ between machines that mount the same share;
- the other settings by their values, so they must be spelled the same everywhere (SQLite files inside
  the data directory, such as the default store and demo database, by their place in it).

Web processes publish theirs to Redis (a key per machine, :func:`publish`); a Celery worker answers
the ``dash_app_settings`` control command with its own (dash_app/worker.py), which ``/health`` and
the start-up of both kinds of process compare (dash_app/health.py, dash_app/startup.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import socket
from pathlib import Path
from typing import Any

from dash_app.settings import ENV_PREFIX, Settings, redacted_url

SHARED = ("store_url", "data_dir", "databases", "redis_url", "background")
DEPLOYMENT_ID_FILE = ".deployment-id"
WEB_KEY = "dash_app:settings:web:"  # + the machine's name
WEB_KEY_TTL_S = 24 * 3600
CONTROL_COMMAND = "dash_app_settings"


def fingerprint(settings: Settings) -> dict[str, str]:
    """``{DASH_APP_<NAME>: short hash}`` of each shared setting."""
    inside = f"sqlite:///{settings.data_dir}/"  # files in the shared directory, wherever it is mounted

    def shown(url: str) -> str:
        return "sqlite:///<data dir>/" + url.removeprefix(inside) if url.startswith(inside) else redacted_url(url)

    values: dict[str, Any] = {
        "store_url": shown(settings.store_url),
        "data_dir": deployment_id(settings.data_dir) or str(settings.data_dir),
        "databases": {name: shown(url) for name, url in settings.databases.items()},
        "redis_url": redacted_url(settings.redis_url) if settings.background == "celery" else None,
        "background": settings.background,
    }
    return {ENV_PREFIX + name.upper(): _digest(values[name]) for name in SHARED}


def differing(mine: dict[str, str], theirs: object) -> list[str]:
    """The settings (variable names) whose hashes differ; every one when ``theirs`` is not a fingerprint."""
    if not isinstance(theirs, dict):
        return sorted(mine)
    return sorted(name for name, value in mine.items() if theirs.get(name) != value)


def deployment_id(data_dir: Path) -> str | None:
    """The id of the shared data directory, written there by the first process that asks (None: unwritable)."""
    return written_once(data_dir / DEPLOYMENT_ID_FILE)


def written_once(path: Path, *, private: bool = False) -> str | None:
    """A random token kept in ``path`` (in the shared data directory), written by the first process that asks:
    every process of the deployment reads the same one. ``private``: readable by its owner only (a secret).
    None when it can be neither read nor written."""
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32 if private else 16))
        try:
            os.link(draft, path)  # atomic: when two processes race, the first link wins and both read it
        except FileExistsError:
            pass
        finally:
            draft.unlink(missing_ok=True)
        return path.read_text().strip() or None
    except OSError:
        return None


def publish(client: Any, settings: Settings) -> None:
    """Write this web process' fingerprint to Redis under its machine's name (``client``: a redis.Redis)."""
    client.set(WEB_KEY + socket.gethostname(), json.dumps(fingerprint(settings)), ex=WEB_KEY_TTL_S)


def published(client: Any) -> dict[str, dict[str, str]]:
    """The fingerprints web processes published, by machine name."""
    found: dict[str, dict[str, str]] = {}
    for key in client.scan_iter(match=WEB_KEY + "*", count=100):
        name = key.decode() if isinstance(key, bytes) else str(key)
        raw = client.get(key)
        try:
            found[name.removeprefix(WEB_KEY)] = json.loads(raw) if raw else {}
        except ValueError:
            found[name.removeprefix(WEB_KEY)] = {}
    return found


def worker_fingerprints(celery_app: Any, timeout_s: float) -> dict[str, object]:
    """Ask every live Celery worker for its fingerprint: ``{worker name: fingerprint}`` (waits ``timeout_s``)."""
    replies = celery_app.control.broadcast(CONTROL_COMMAND, reply=True, timeout=timeout_s) or []
    answers: dict[str, object] = {}
    for reply in replies:
        for name, answer in reply.items():
            answers[name] = answer.get("settings") if isinstance(answer, dict) else None
    return answers


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:12]
