"""Per-user limits, each a setting with a clear message (issue 13, item 6; SECURITY.md "6. Limits"): queued plus
running runs (counted in the run store, so across processes), uploads per minute and the total size of a user's
images (counted in the data directory, so across processes), exports in progress (per server process).

Two users of the example host (different ids, the same display name) show that one user's use never limits
another's.
"""

from __future__ import annotations

import io
import sqlite3
import threading

import pytest
from dash_app.compose import quota
from dash_app.exports import ExportSlots, TooManyExports
from dash_app.runs.store import TooManyRuns
from dash_app.settings import SettingsError, load_settings
from dash_app.workbench import get_workbench
from examples.flask_host import create_host_app
from test_ownership import NAME, PASSWORD, PREFIX, SignedIn, client_of, png, scene_with, upload, user_id
from test_runs_pages import _json, _press_start


def limited_host(tmp_path, **limits):
    settings = load_settings(url_prefix=PREFIX, data_dir=tmp_path / "workbench", **limits)
    server = create_host_app(tmp_path, secret_key="test-secret", settings=settings)
    users = server.extensions["users"]
    server.config["test_users"] = {"alice": users.add("alice", PASSWORD, NAME), "bob": users.add("bob", PASSWORD, NAME)}
    return server


@pytest.mark.parametrize("name", ["max_active_runs_per_user", "uploads_per_minute", "upload_quota_mb",
                                  "max_exports_per_user"])
def test_each_limit_is_a_typed_setting_with_a_clear_message(name, monkeypatch):
    assert load_settings(**{name: 3}).model_dump()[name] == 3
    monkeypatch.setenv(f"DASH_APP_{name.upper()}", "0")
    with pytest.raises(SettingsError, match=f"DASH_APP_{name.upper()}=.*allowed: an integer from 1 to"):
        load_settings()


# -- runs: queued plus running, per user, in the run store ------------------------------------------------


def test_start_past_the_users_active_runs_is_refused_with_a_message_and_others_still_start(tmp_path, monkeypatch):
    server = limited_host(tmp_path, max_active_runs_per_user=2)
    workbench = get_workbench(server)
    monkeypatch.setattr(workbench.launcher, "launch", lambda run_id, attempt=1: None)  # the runs stay queued
    with SignedIn(server, "alice"):
        first, second, third = _press_start(3), _press_start(3), _press_start(3)
    assert "queued" in _json(first["message"]) and "queued" in _json(second["message"])
    message = _json(third["message"])
    assert "Nothing started: you already have 2 runs queued or running" in message and "(2)" in message
    assert '"color": "warning"' in message
    store = workbench.runs
    alice = user_id(server, "alice")
    assert len(store.list_runs(owner=alice)) == 2, "the refused Start queued nothing"
    with SignedIn(server, "bob"):
        assert "queued" in _json(_press_start(3)["message"]), "another user's runs do not count"
    store.request_cancel(store.list_runs(owner=alice)[0].id)  # a queued run cancelled ends at once
    with SignedIn(server, "alice"):
        assert "queued" in _json(_press_start(3)["message"]), "an ended run frees its place"


def test_resume_past_the_owners_active_runs_is_refused_and_the_run_stays_as_it_was(store):
    first = store.create_run({}, "x", user=NAME, owner="u1", backend="diskcache", max_active=2)
    store.request_cancel(first)  # queued: cancelled at once
    store.create_run({}, "x", user=NAME, owner="u1", backend="diskcache", max_active=2)
    store.create_run({}, "x", user=NAME, owner="u1", backend="diskcache", max_active=2)
    with pytest.raises(TooManyRuns, match="you already have 2 runs queued or running"):
        store.resume(first, max_active=2)
    assert (store.get(first).status, store.get(first).attempt) == ("cancelled", 1)
    store.create_run({}, "x", user=NAME, owner="u2", backend="diskcache")  # another user's run does not count
    assert store.resume(first).status == "queued", "without a limit it resumes"


def test_the_run_store_counts_under_its_lock_so_simultaneous_starts_cannot_pass_together(store):
    results: list[object] = []
    barrier = threading.Barrier(6)

    def start():
        barrier.wait()
        try:
            results.append(store.create_run({}, "x", user=NAME, owner="u1", backend="diskcache", max_active=3))
        except TooManyRuns as error:
            results.append(error)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(result, int) for result in results) == 3
    assert len(store.list_runs(owner="u1")) == 3
    assert store.create_run({}, "x", user=NAME, owner="u2", backend="diskcache", max_active=3)
    assert store.create_run({}, "x", user=None, owner=None, backend="diskcache", max_active=1), "standalone user"
    with pytest.raises(TooManyRuns):
        store.create_run({}, "x", user=None, owner=None, backend="diskcache", max_active=1)


# -- uploads: per minute and total size, per user, in the data directory -------------------------------------


def test_uploads_past_the_rate_get_429_with_a_message_and_another_user_still_uploads(tmp_path):
    server = limited_host(tmp_path, uploads_per_minute=3)
    alice, bob = client_of(server, "alice"), client_of(server, "bob")
    for _ in range(2):
        upload(alice)
    broken = alice.post(f"{PREFIX}compose/upload", data={"file": (io.BytesIO(b"not an image"), "x.png")},
                        headers={"X-Compose-Upload": "1"})
    assert broken.status_code == 400, "a refused file counts too: it cost the server its checks"
    refused = alice.post(f"{PREFIX}compose/upload", data={"file": (io.BytesIO(png()), "x.png")},
                         headers={"X-Compose-Upload": "1"})
    assert refused.status_code == 429
    assert refused.json["error"].startswith("you have sent 3 uploads in the last minute")
    assert "(3 a minute): try again in" in refused.json["error"]
    upload(bob)


def test_the_rate_counts_the_last_minute_only(tmp_path):
    ledger = quota.UploadLedger(tmp_path, "u1", tmp_path / "images")
    limits = quota.UploadLimits(per_minute=2, max_total_bytes=10**9)
    ledger.admit(10, limits, now=1000.0)
    ledger.admit(10, limits, now=1030.0)
    with pytest.raises(quota.UploadLimitReached, match="try again in 30 s"):
        ledger.admit(10, limits, now=1030.5)
    ledger.admit(10, limits, now=1060.5)  # the first has left the minute


def test_uploads_past_the_users_total_size_are_refused_and_a_removed_image_frees_its_bytes(tmp_path):
    server = limited_host(tmp_path, upload_quota_mb=1)
    alice, bob = client_of(server, "alice"), client_of(server, "bob")
    big = png((700, 700))
    images = get_workbench(server).settings.data_dir / "compose" / "images"
    first = upload(alice)
    ledger = quota.UploadLedger(get_workbench(server).settings.data_dir, user_id(server, "alice"), images)
    ledger.record(first, 1024 * 1024 - 100)  # as if her first image took almost the whole megabyte
    refused = alice.post(f"{PREFIX}compose/upload", data={"file": (io.BytesIO(big), "big.png")},
                         headers={"X-Compose-Upload": "1"})
    assert refused.status_code == 429
    assert refused.json["error"].startswith("your uploaded images take 1.0 MB; with this file")
    assert "would pass the 1 MB one user may keep" in refused.json["error"]
    upload(bob)  # his images are his own
    (images / f"{first}.png").unlink()  # an operator removed it: its bytes no longer count
    upload(alice)


def test_the_ledger_is_shared_by_every_storage_of_the_data_directory(tmp_path):
    """Two processes (two ledgers on one folder) count the same uploads."""
    limits = quota.UploadLimits(per_minute=2, max_total_bytes=10**9)
    one = quota.UploadLedger(tmp_path, "u1", tmp_path / "images")
    other = quota.UploadLedger(tmp_path, "u1", tmp_path / "images")
    one.admit(1, limits, now=100.0)
    other.admit(1, limits, now=101.0)
    with pytest.raises(quota.UploadLimitReached):
        one.admit(1, limits, now=102.0)
    assert quota.ledger_path(tmp_path, "u1").parent == tmp_path / "compose" / "usage"
    assert quota.ledger_path(tmp_path, "../../etc").name.endswith(".json") and "/" not in \
        quota.ledger_path(tmp_path, "../../etc").name


# -- exports in progress, per user, per process ---------------------------------------------------------------


def test_export_slots_per_user():
    slots = ExportSlots(2)
    first, second = slots.take("a"), slots.take("a")
    with pytest.raises(TooManyExports, match="you already have 2 exports in progress"):
        slots.take("a")
    slots.take("b")()
    first()
    first()  # giving back twice gives back once
    assert slots.in_progress("a") == 1
    slots.take("a")
    second()


def test_exports_past_the_users_slots_get_429_and_a_finished_download_frees_its_slot(tmp_path):
    database = tmp_path / "shop.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        connection.executemany("INSERT INTO customers VALUES (?, ?)", [(n, f"c{n}") for n in range(50)])
    server = limited_host(tmp_path, max_exports_per_user=1, databases={"shop": f"sqlite:///{database}"})
    alice, bob = client_of(server, "alice"), client_of(server, "bob")
    slots = get_workbench(server).exports
    image_id = upload(alice)
    # Her CSV download, in a thread of its own as a server would run it, held open until the test lets it finish.
    opened, finish, received = threading.Event(), threading.Event(), []

    def download():
        response = client_of(server, "alice").get(f"{PREFIX}data/export.csv?db=shop&table=customers",
                                                  buffered=False)
        received.append(response.status_code)
        opened.set()
        finish.wait()
        received.append(b"".join(response.response))
        response.close()

    downloading = threading.Thread(target=download)
    downloading.start()
    assert opened.wait(60), "the download started"
    assert received == [200]
    assert slots.in_progress(user_id(server, "alice")) == 1, "the slot is held while the download is sent"
    for refused in (alice.post(f"{PREFIX}compose/export", json={"scene": scene_with(image_id), "format": "png"}),
                    alice.get(f"{PREFIX}data/export.xlsx?db=shop&table=customers"),
                    alice.get(f"{PREFIX}data/export.csv?db=shop&table=customers")):
        assert refused.status_code == 429
        text = refused.json["error"] if refused.is_json else refused.get_data(as_text=True)
        assert text.startswith("you already have 1 exports in progress, the most one user may have at once (1)")
    bob_image = upload(bob)
    exported = bob.post(f"{PREFIX}compose/export", json={"scene": scene_with(bob_image), "format": "png"})
    assert exported.status_code == 200, "another user's exports do not count"
    finish.set()
    downloading.join()
    assert b"c49" in received[1]
    assert slots.in_progress(user_id(server, "alice")) == 0, "a finished download gives its slot back"
    excel = alice.get(f"{PREFIX}data/export.xlsx?db=shop&table=customers")
    assert excel.status_code == 200
    excel.close()
    assert alice.post(f"{PREFIX}compose/export", json={"scene": scene_with(image_id), "format": "png"}).status_code \
        == 200
    assert slots.in_progress(user_id(server, "alice")) == 0, "a finished export gives its slot back"
