"""Who is asking: the host's stable user id, the display name as a label, and roles, however the host says them."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import pytest
from flask import Flask
from flask_login import LoginManager, UserMixin, login_user

from dash_app import init_app
from dash_app.auth import Access, current_identity
from dash_app.compose import legacy
from dash_app.compose.edit import new_scene
from dash_app.compose.storage import ComposeStorage, StorageError, legacy_folder_name
from dash_app.identity import (
    NOBODY, STANDALONE, host_identity, may_control_run, may_use_image, may_view_run, role_names,
)
from dash_app.runs.store import open_store
from dash_app.settings import SettingsError, load_settings


@dataclass(frozen=True)
class Member(UserMixin):
    id: str
    name: str
    groups: tuple[str, ...] = ()
    roles: object = None

    def get_id(self) -> str:
        return self.id


def flask_login_host(tmp_path, **init_options) -> Flask:
    server = Flask("host")
    server.config["SECRET_KEY"] = "test"
    LoginManager(server).user_loader(lambda _user_id: None)
    init_app(server, load_settings(data_dir=tmp_path / "data", url_prefix="/app/"), **init_options)
    return server


def identity_of(server, user):
    with server.test_request_context("/app/"):
        login_user(user)
        return current_identity()


def test_flask_login_gives_the_id_the_name_and_the_roles_attribute(tmp_path):
    server = flask_login_host(tmp_path)
    member = identity_of(server, Member("7", "Kim", roles=["admin", "analyst"]))
    assert (member.id, member.name, member.roles, member.admin) == ("7", "Kim", frozenset({"admin", "analyst"}), True)
    assert identity_of(server, Member("8", "Kim")).roles == frozenset(), "no roles attribute value: no roles"


def test_a_roles_callable_passed_to_init_app_reads_them_from_the_user_object(tmp_path):
    server = flask_login_host(tmp_path, user_roles=lambda user: user.groups)
    assert identity_of(server, Member("7", "Kim", groups=("admin",), roles=["ignored"])).admin
    assert not identity_of(server, Member("8", "Kim", groups=("staff",))).admin


def test_the_admin_role_is_named_in_settings(tmp_path):
    server = Flask("host")
    server.config["SECRET_KEY"] = "test"
    LoginManager(server).user_loader(lambda _user_id: None)
    init_app(server, load_settings(data_dir=tmp_path / "data", admin_role="workbench-admins"))
    assert not identity_of(server, Member("1", "Kim", roles=["admin"])).admin
    assert identity_of(server, Member("1", "Kim", roles=["workbench-admins"])).admin


def test_a_host_without_flask_login_supplies_the_id_and_roles_through_access(tmp_path):
    server = Flask("host")
    access = Access(is_allowed=lambda: True, user_name=lambda: "Kim", user_id=lambda: "k-1",
                    user_roles=lambda: ("admin",))
    init_app(server, load_settings(data_dir=tmp_path / "data"), access=access)
    with server.test_request_context("/"):
        assert current_identity() == host_identity("k-1", "Kim", ("admin",), "admin")


def test_an_access_must_say_the_users_id(tmp_path):
    with pytest.raises(TypeError, match="user_id"):
        Access(is_allowed=lambda: True, user_name=lambda: "Kim")
    with pytest.raises(TypeError, match="user_roles is for hosts that use Flask-Login"):
        init_app(Flask("host"), load_settings(data_dir=tmp_path / "data"), user_roles=lambda user: (),
                 access=Access(is_allowed=lambda: True, user_name=lambda: "Kim", user_id=lambda: "1"))


def test_standalone_is_the_one_user_who_owns_everything_and_a_host_without_a_user_is_nobody(app, tmp_path):
    with app.server.test_request_context("/"):
        assert current_identity() is STANDALONE
    server = Flask("host")
    access = Access(is_allowed=lambda: True, user_name=lambda: "Kim", user_id=lambda: None)
    init_app(server, load_settings(data_dir=tmp_path / "data"), access=access)
    with server.test_request_context("/"):
        assert current_identity() == NOBODY


@pytest.mark.parametrize(("given", "roles"), [
    (None, set()), ("admin", {"admin"}), ("", set()), (["a", "b", None, ""], {"a", "b"}), ({"a"}, {"a"}),
    (42, set()), (b"admin", set()), ({"admin": True}, set()),
])
def test_role_names_accept_one_name_or_many_and_fail_closed_otherwise(given, roles):
    assert role_names(given) == frozenset(roles)


def test_a_very_long_id_is_kept_as_its_digest():
    identity = host_identity("x" * 500, "Kim", (), "admin")
    assert identity.id.startswith("sha256:") and len(identity.id) < 100
    assert identity == host_identity("x" * 500, "Kim", (), "admin"), "stable"


def test_the_rules_of_who_may_do_what():
    alice, admin = host_identity("1", "Sam", (), "admin"), host_identity("3", "Sam", ("admin",), "admin")
    assert may_view_run(alice, "2", shared=True) and not may_view_run(alice, "2", shared=False)
    assert may_view_run(alice, "1", shared=False) and may_view_run(admin, "2", shared=False)
    assert not may_control_run(alice, "2") and not may_control_run(alice, None) and may_control_run(alice, "1")
    assert may_control_run(admin, None) and may_control_run(STANDALONE, "2")
    assert not may_view_run(NOBODY, None, shared=True) and not may_control_run(NOBODY, "")
    assert may_use_image(alice, None) and may_use_image(alice, "1") and not may_use_image(alice, "2")
    assert not may_use_image(NOBODY, None)


def test_settings_for_roles_and_sharing(monkeypatch, tmp_path):
    defaults = load_settings(data_dir=tmp_path)
    assert (defaults.admin_role, defaults.share_runs) == ("admin", True)
    monkeypatch.setenv("DASH_APP_ADMIN_ROLE", "ops")
    monkeypatch.setenv("DASH_APP_SHARE_RUNS", "false")
    chosen = load_settings(data_dir=tmp_path)
    assert (chosen.admin_role, chosen.share_runs) == ("ops", False)
    monkeypatch.setenv("DASH_APP_ADMIN_ROLE", " ")
    with pytest.raises(SettingsError, match="DASH_APP_ADMIN_ROLE"):
        load_settings(data_dir=tmp_path)


# -- existing data ------------------------------------------------------------------------------------------


def test_a_store_from_before_owners_opens_and_gains_the_owner_column(tmp_path):
    path = tmp_path / "store.sqlite"
    first = open_store(f"sqlite:///{path}")
    run_id = first.create_run({"epochs": 1}, "old", user="Sam", backend="diskcache")
    first.dispose()
    with sqlite3.connect(path) as db:  # as an earlier version left it: no owner_id column
        db.execute("alter table train_runs drop column owner_id")
    reopened = open_store(f"sqlite:///{path}")
    assert reopened.get(run_id).owner is None and reopened.get(run_id).user == "Sam"
    new_id = reopened.create_run({"epochs": 1}, "new", user="Sam", backend="diskcache", owner="1")
    assert reopened.get(new_id).owner == "1"
    assert [run.id for run in reopened.list_runs(owner="1")] == [new_id]
    open_store(f"sqlite:///{path}").dispose()  # opening again finds the column there
    reopened.dispose()


def test_compositions_are_filed_under_the_id_and_never_meet_a_display_name_folder(tmp_path):
    storage = ComposeStorage(tmp_path, max_side=8192)
    assert storage.user_folder("Sam Lee").name.startswith("u-sam-lee-")
    assert storage.user_folder("Sam Lee") != storage.scenes_root / legacy_folder_name("Sam Lee")
    assert storage.user_folder(None) == storage.scenes_root / legacy_folder_name("local"), "standalone as before"
    with pytest.raises(StorageError, match="sign in"):
        storage.user_folder("")


def test_display_name_folders_are_listed_and_handed_to_their_user(tmp_path, capsys):
    storage = ComposeStorage(tmp_path, max_side=8192)
    old = storage.scenes_root / legacy_folder_name("Sam Lee")
    old.mkdir(parents=True)
    image = storage.accept_image(_png(), max_bytes=10**6, max_pixels=10**6)  # standalone: no owner recorded
    scene = new_scene()
    storage.save("42", "Clash", scene)
    for name in ("Plan", "Clash"):  # written where an earlier version kept them
        storage.save("tmp", name, scene if name == "Clash" else _scene_with(image.id))
    for path in storage.user_folder("tmp").iterdir():
        path.rename(old / path.name)
    storage.user_folder("tmp").rmdir()

    assert legacy.main(["--data-dir", str(tmp_path), "list"]) == 0
    assert f"{old.name}: Clash, Plan" in capsys.readouterr().out
    assert legacy.main(["--data-dir", str(tmp_path), "adopt", old.name, "42"]) == 0
    out = capsys.readouterr().out
    assert "moved to user 42: Plan" in out and "kept in" in out and "Clash" in out
    assert [saved.name for saved in storage.list("42")] in (["Plan", "Clash"], ["Clash", "Plan"])
    assert storage.image_owner(image.id) == "42", "the images it uses become the user's"
    assert legacy.main(["--data-dir", str(tmp_path), "adopt", "../etc", "42"]) == 2


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 0, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def _scene_with(image_id: str):
    from dash_app.compose.scene import scene_from_dict

    return scene_from_dict({"canvas": {"width": 400, "height": 300},
                            "background": {"kind": "solid", "color": "#ffffff"},
                            "layers": [{"id": "abcdef12", "image_id": image_id, "x": 1, "y": 1, "scale": 1,
                                        "rotation": 0, "opacity": 1}]})


def test_the_host_examples_user_store_gains_roles(tmp_path):
    from examples.flask_host.users import UserStore

    path = tmp_path / "users.sqlite"
    with sqlite3.connect(path) as db:  # the example's store from before roles
        db.execute("create table users (id integer primary key, username text not null unique, name text not null,"
                   " password_hash text not null)")
    users = UserStore(path)
    assert users.add("kim", "pw", "Kim").roles == ()
    assert users.add("root", "pw", "Kim", roles=("admin",)).roles == ("admin",)
    assert users.check("root", "pw").roles == ("admin",) and users.by_id("1").roles == ()
