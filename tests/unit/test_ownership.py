"""Who may see and do what, in the example host: three real users with different ids and THE SAME display name.

``alice`` and ``bob`` are plain users, ``root`` has the admin role. Every route that takes an id (an
uploaded image, the preview background of a photo, an export naming images, a run's artifacts and
weights) is asked by each of them over HTTP; the callbacks that take a run id or a composition name are
called as plain functions in a request where that user is signed in (Flask-Login's own ``login_user``).
"""

from __future__ import annotations

import io
import json

import plotly.io
import pytest
from dash import no_update
from flask_login import login_user
from PIL import Image

from dash_app import ids
from dash_app.callbacks import compose as compose_callbacks
from dash_app.callbacks import training_compare, training_form, training_live, training_run
from dash_app.jobs.config import TrainConfig
from dash_app.runs.executor import run_folder
from dash_app.runs.schema import QUEUED, SUCCEEDED
from dash_app.settings import load_settings
from dash_app.workbench import get_workbench
from examples.flask_host import create_host_app

PREFIX = "/dashboard/"
NAME = "Sam Lee"  # every user's display name: only the ids tell them apart
PASSWORD = "correct horse"
ARTIFACTS = {"curves.png": b"\x89PNG\r\n\x1a\n curves", "weights.pt": b"weights", "config.json": b"{}"}


def make_host(tmp_path, share_runs: bool = True):
    settings = load_settings(url_prefix=PREFIX, data_dir=tmp_path / "workbench", share_runs=share_runs)
    server = create_host_app(tmp_path, secret_key="test-secret", settings=settings)
    users = server.extensions["users"]
    server.config["test_users"] = {
        "alice": users.add("alice", PASSWORD, NAME),
        "bob": users.add("bob", PASSWORD, NAME),
        "root": users.add("root", PASSWORD, NAME, roles=("admin",)),
    }
    return server


@pytest.fixture
def host(tmp_path):
    return make_host(tmp_path)


@pytest.fixture
def private_host(tmp_path):
    """Runs not shared: only their owner and admins see them."""
    return make_host(tmp_path, share_runs=False)


def client_of(server, username):
    client = server.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


class SignedIn:
    """A request of ``server`` in which ``username`` is signed in, for calling callbacks as plain functions."""

    def __init__(self, server, username):
        self.server, self.user = server, server.config["test_users"][username]

    def __enter__(self):
        self.context = self.server.test_request_context(PREFIX)
        self.context.__enter__()
        login_user(self.user)
        return self

    def __exit__(self, *exc):
        return self.context.__exit__(*exc)


def png(size=(60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (200, 30, 30, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(client) -> str:
    answer = client.post(f"{PREFIX}compose/upload", data={"file": (io.BytesIO(png()), "mine.png")},
                         headers={"X-Compose-Upload": "1"})
    assert answer.status_code == 200, answer.json
    return answer.json["image"]["id"]


def scene_with(image_id: str) -> dict:
    return {"canvas": {"width": 400, "height": 300}, "background": {"kind": "solid", "color": "#ffffff"},
            "layers": [{"id": "abcdef12", "image_id": image_id, "x": 200, "y": 150, "scale": 1, "rotation": 0,
                        "opacity": 1}]}


def photo_query(image_id: str) -> dict:
    spec = {"kind": "photo", "image_id": image_id, "fit": "cover", "color": "#000000"}
    return {"spec": json.dumps(spec), "w": 400, "h": 300}


def finished_run(server, owner: str, name: str = NAME) -> int:
    """A succeeded run of ``owner`` (a user id) with its artifacts on disk, as a job leaves it."""
    workbench = get_workbench(server)
    store = workbench.runs
    run_id = store.create_run(TrainConfig(dataset="spirals").to_json(), "spirals", user=name, owner=owner,
                              backend="diskcache")
    folder = run_folder(workbench.settings.data_dir, run_id)
    folder.mkdir(parents=True)
    for artifact, data in ARTIFACTS.items():
        (folder / artifact).write_bytes(data)
    store.claim_slot(run_id, 8, _process())
    store.finish(run_id, SUCCEEDED, artifacts=[(artifact, len(data)) for artifact, data in ARTIFACTS.items()])
    return run_id


def queued_run(server, owner: str) -> int:
    return get_workbench(server).runs.create_run(TrainConfig().to_json(), "digits", user=NAME, owner=owner,
                                                 backend="diskcache")


def _process():
    from dash_app.runs.store import ProcessRef

    return ProcessRef("test-host", 4242, 1.0)


def _json(component) -> str:
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


def user_id(server, username) -> str:
    return server.config["test_users"][username].get_id()


# -- identity -----------------------------------------------------------------------------------------------


def test_the_same_display_name_is_three_identities_and_the_admin_role_comes_from_the_user_object(host):
    from dash_app.auth import current_identity

    seen = {}
    for username in ("alice", "bob", "root"):
        with SignedIn(host, username):
            seen[username] = current_identity()
    assert {identity.name for identity in seen.values()} == {NAME}
    assert len({identity.id for identity in seen.values()}) == 3
    assert [seen[name].admin for name in ("alice", "bob", "root")] == [False, False, True]
    assert seen["root"].roles == frozenset({"admin"})


def test_the_navbar_still_shows_the_display_name_only(host):
    assert NAME in client_of(host, "bob").get(f"{PREFIX}_dash-layout").get_data(as_text=True)


# -- uploaded images ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["display", "full"])
def test_an_uploaded_image_is_served_to_its_owner_and_admins_only(host, variant):
    alice, bob, root = (client_of(host, name) for name in ("alice", "bob", "root"))
    image_id = upload(alice)
    url = f"{PREFIX}compose/image?id={image_id}&variant={variant}"
    assert alice.get(url).status_code == 200
    refused = bob.get(url)
    assert refused.status_code == 404 and "belongs to another user" in refused.json["error"]
    assert root.get(url).status_code == 200


def test_a_photo_background_is_rendered_for_its_owner_and_admins_only(host):
    alice, bob, root = (client_of(host, name) for name in ("alice", "bob", "root"))
    image_id = upload(alice)
    url = f"{PREFIX}compose/background"
    assert alice.get(url, query_string=photo_query(image_id)).status_code == 200
    refused = bob.get(url, query_string=photo_query(image_id))
    assert refused.status_code == 404 and "belongs to another user" in refused.json["error"]
    assert root.get(url, query_string=photo_query(image_id)).status_code == 200


def test_an_export_naming_another_users_image_is_refused(host):
    alice, bob, root = (client_of(host, name) for name in ("alice", "bob", "root"))
    image_id = upload(alice)
    body = {"scene": scene_with(image_id), "format": "png", "filename": "poster"}
    assert alice.post(f"{PREFIX}compose/export", json=body).status_code == 200
    refused = bob.post(f"{PREFIX}compose/export", json=body)
    assert refused.status_code == 404 and "belongs to another user" in refused.json["error"]
    assert root.post(f"{PREFIX}compose/export", json=body).status_code == 200


def test_the_upload_records_its_owner_by_id(host):
    image_id = upload(client_of(host, "alice"))
    with SignedIn(host, "alice"):
        assert get_workbench().compose.image_owner(image_id) == user_id(host, "alice")


def test_another_users_image_cannot_be_placed_in_a_scene_through_the_upload_event(host):
    image_id = upload(client_of(host, "alice"))
    event = {"type": "composeupload", "detail": {"images": [{"id": image_id, "name": "stolen.png"}], "errors": []}}
    with SignedIn(host, "bob"):
        answer = compose_callbacks.update(ids.COMPOSE_EVENTS, None, None, None, None, None, None, event=event)
    assert answer["scene"]["layers"] == []
    assert "stolen.png: the upload was not stored" in _json(answer["alerts"])


def test_a_stored_scene_naming_another_users_image_is_refused(host):
    image_id = upload(client_of(host, "alice"))
    with SignedIn(host, "bob"):
        answer = compose_callbacks.update(None, scene_with(image_id), None, None, None, None, None)
    assert answer["scene"]["layers"] == []
    assert "no longer stored" in _json(answer["alerts"])


# -- saved compositions -------------------------------------------------------------------------------------


def _saved(server, username, trigger, save_name=None, saved=None) -> dict:
    with SignedIn(server, username):
        return compose_callbacks.update(trigger, None, None, None, None, save_name, saved)


def test_compositions_are_filed_by_user_id_not_by_display_name(host):
    saved = _saved(host, "alice", ids.COMPOSE_SAVE, save_name="Plan")
    assert "Saved “Plan”." in _json(saved["alerts"])
    assert saved["saved_options"] == [{"label": "Plan", "value": "Plan"}]
    assert _saved(host, "bob", None)["saved_options"] == [], "bob has the same display name, not the same folder"
    assert _saved(host, "alice", None)["saved_options"] == [{"label": "Plan", "value": "Plan"}]


def test_another_users_composition_cannot_be_opened_or_deleted_and_nothing_changes(host):
    _saved(host, "alice", ids.COMPOSE_SAVE, save_name="Plan")
    compose = get_workbench(host).compose
    folder = compose.user_folder(user_id(host, "alice"))
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    opened = _saved(host, "bob", ids.COMPOSE_OPEN, saved="Plan")
    assert "There is no saved composition called 'Plan' among yours." in _json(opened["alerts"])
    assert opened["scene"]["layers"] == [] and "Opened" not in _json(opened["alerts"])
    deleted = _saved(host, "bob", ids.COMPOSE_DELETE_SAVED, saved="Plan")
    assert "nothing was deleted" in _json(deleted["alerts"]) and "Deleted “" not in _json(deleted["alerts"])
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert "Opened “Plan”." in _json(_saved(host, "alice", ids.COMPOSE_OPEN, saved="Plan")["alerts"])


# -- runs: artifacts and weights over HTTP ------------------------------------------------------------------


@pytest.mark.parametrize("artifact", ["curves.png", "weights.pt", "config.json"])
def test_artifacts_and_weights_of_a_private_run_go_to_its_owner_and_admins_only(private_host, artifact):
    run_id = finished_run(private_host, user_id(private_host, "alice"))
    alice, bob, root = (client_of(private_host, name) for name in ("alice", "bob", "root"))
    url = f"{PREFIX}training-artifacts/{run_id}/{artifact}?download=1"
    owner_answer = alice.get(url)
    assert owner_answer.status_code == 200 and owner_answer.data == ARTIFACTS[artifact]
    assert bob.get(url).status_code == 404
    assert root.get(url).status_code == 200


def test_a_private_runs_page_is_not_there_for_other_users(private_host):
    run_id = finished_run(private_host, user_id(private_host, "alice"))
    page = f"{PREFIX}training/runs/{run_id}"
    assert [client_of(private_host, name).get(page).status_code for name in ("alice", "bob", "root")] == [200, 404, 200]


def test_shared_runs_let_every_signed_in_user_download_their_artifacts(host):
    run_id = finished_run(host, user_id(host, "alice"))
    url = f"{PREFIX}training-artifacts/{run_id}/weights.pt?download=1"
    answer = client_of(host, "bob").get(url)
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == f"attachment; filename=run-{run_id}-weights.pt", "named per run"
    assert host.test_client().get(url).status_code == 401, "still behind the host's login"


def test_a_run_from_before_owners_were_kept_is_private_to_admins(private_host):
    run_id = finished_run(private_host, None)
    url = f"{PREFIX}training-artifacts/{run_id}/curves.png"
    assert client_of(private_host, "alice").get(url).status_code == 404
    assert client_of(private_host, "root").get(url).status_code == 200


# -- runs: callbacks ----------------------------------------------------------------------------------------


def test_start_records_the_starters_id_and_display_name(host, monkeypatch):
    launched = []
    monkeypatch.setattr(get_workbench(host).launcher, "launch",
                        lambda run_id, attempt=1: launched.append(run_id))
    defaults = TrainConfig()
    numbers = ("epochs", "batch_size", "learning_rate", "hidden_size", "val_split", "seed")
    choices = {"dataset": "digits", "model": "mlp", "optimizer": "adam"}
    with SignedIn(host, "bob"):
        answer = training_form.start_run(
            1, [1, *[getattr(defaults, name) for name in numbers[1:]]],
            [{"type": "train-field", "field": name} for name in numbers], list(choices.values()),
            [{"type": "train-choice", "field": name} for name in choices], [], 0)
    assert "queued" in _json(answer["message"])
    run = get_workbench(host).runs.get(launched[0])
    assert (run.owner, run.user) == (user_id(host, "bob"), NAME)


def test_another_users_run_cannot_be_cancelled_from_the_list_or_its_page(host):
    run_id = queued_run(host, user_id(host, "alice"))
    store = get_workbench(host).runs
    with SignedIn(host, "bob"):
        listed = training_live.cancel({"run": run_id, "at": 1}, 3)
        paged = training_run.cancel_from_run_page({"run": run_id, "at": 1})
    for answer in (listed, paged):
        text = _json(answer["message"])
        assert f"Run #{run_id} was not cancelled: only the user who started it ({NAME}) or an admin" in text
        assert "cancelled." not in text.replace("was not cancelled", "")
    assert listed["refresh"] is no_update
    run = store.get(run_id)
    assert run.status == QUEUED and not run.cancel_requested, "nothing changed in the store"
    with SignedIn(host, "root"):
        by_admin = training_live.cancel({"run": run_id, "at": 2}, 3)
    assert f"Run #{run_id} cancelled." in _json(by_admin["message"]) and store.get(run_id).status == "cancelled"


def test_the_owner_cancels_their_own_run(host):
    run_id = queued_run(host, user_id(host, "alice"))
    with SignedIn(host, "alice"):
        answer = training_run.cancel_from_run_page({"run": run_id, "at": 1})
    assert f"Run #{run_id} cancelled." in _json(answer["message"])


def test_shared_runs_show_read_only_to_others(host):
    run_id = queued_run(host, user_id(host, "alice"))
    with SignedIn(host, "bob"):
        page = training_run.show_run(0, str(run_id))
        live = training_live.refresh(0, 0, None)
    assert "Queued" in _json(page["heading"]) and "train-run-cancel" not in _json(page["heading"])
    assert f"#{run_id}" in _json(live["cards"]) and "train-cancel" not in _json(live["cards"])
    assert [row["run_id"] for row in live["rows"]] == [run_id] and live["rows"][0]["user"] == NAME
    with SignedIn(host, "alice"):
        own_page = training_run.show_run(0, str(run_id))
        own_live = training_live.refresh(0, 0, None)
    assert "train-run-cancel" in _json(own_page["heading"]) and "train-cancel" in _json(own_live["cards"])


def test_admins_see_who_owns_a_run_by_id(host):
    run_id = finished_run(host, user_id(host, "alice"))
    with SignedIn(host, "root"):
        page = training_run.show_run(0, str(run_id))
    assert f"{NAME} (user id {user_id(host, 'alice')})" in _json(page["details"])
    with SignedIn(host, "bob"):
        assert "user id" not in _json(training_run.show_run(0, str(run_id))["details"])


def test_private_runs_are_hidden_from_others_everywhere(private_host):
    mine = finished_run(private_host, user_id(private_host, "bob"))
    theirs = [finished_run(private_host, user_id(private_host, "alice")) for _ in range(2)]
    with SignedIn(private_host, "bob"):
        page = training_run.show_run(0, str(theirs[0]))
        live = training_live.refresh(0, 0, None)
        compared = training_compare.compare(",".join(str(run_id) for run_id in theirs))
        mixed = training_compare.compare(f"{mine},{theirs[0]}")
    with SignedIn(private_host, "bob"):  # the same words as for runs that do not exist: ids cannot be probed
        nowhere = training_run.show_run(0, "99999")
        unknown = training_compare.compare(f"{mine},99998,99999")
    assert _json(page["heading"]) == _json(nowhere["heading"]).replace("99999", str(theirs[0]))
    assert page["details"] == "" and page["artifacts"] == ""
    assert [row["run_id"] for row in live["rows"]] == [mine]
    assert _json(compared["note"]) == _json(unknown["note"]).replace("99998", str(theirs[0])).replace(
        "99999", str(theirs[1]))
    assert f"Not found, left out: #{theirs[0]}, #{theirs[1]}" in _json(compared["note"]) and compared["settings"] == ""
    assert "Choose two or more runs" in _json(compared["note"])
    assert f"Not found, left out: #{theirs[0]}" in _json(mixed["note"]) and mixed["settings"] == ""
    with SignedIn(private_host, "root"):
        assert len(training_live.refresh(0, 0, None)["rows"]) == 3
        assert training_compare.compare(",".join(str(run_id) for run_id in theirs))["note"] == ""


def test_a_queued_run_keeps_its_place_in_the_whole_queue_when_others_runs_are_hidden(private_host):
    queued_run(private_host, user_id(private_host, "alice"))
    mine = queued_run(private_host, user_id(private_host, "bob"))
    with SignedIn(private_host, "bob"):
        live = training_live.refresh(0, 0, None)
    assert [row["run_id"] for row in live["rows"]] == [mine]
    assert "position 2 in the queue" in _json(live["cards"])


def test_edit_a_composition_image_layer_still_works_for_its_owner(host):
    image_id = upload(client_of(host, "alice"))
    event = {"type": "composeupload", "detail": {"images": [{"id": image_id, "name": "mine.png"}], "errors": []}}
    with SignedIn(host, "alice"):
        answer = compose_callbacks.update(ids.COMPOSE_EVENTS, None, None, None, None, None, None, event=event)
    assert [layer["image_id"] for layer in answer["scene"]["layers"]] == [image_id]
