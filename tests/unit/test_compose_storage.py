"""Saved compositions: per user, named safely, never a path from the browser."""

from __future__ import annotations

import pytest

from dash_app.compose import storage
from dash_app.compose.edit import new_scene, nudge
from dash_app.compose.scene import scene_from_dict
from dash_app.compose.storage import ComposeStorage

IMG = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def scenes(tmp_path):
    return ComposeStorage(tmp_path, max_side=8192)


def a_scene(x=100):
    return scene_from_dict({"canvas": {"width": 800, "height": 600},
                            "background": {"kind": "solid", "color": "#ffffff"},
                            "layers": [{"id": "abcdef12", "image_id": IMG, "x": x, "y": 50}]})


def test_save_list_and_reopen(scenes):
    scenes.save("alice", "Launch visual", a_scene())
    scenes.save("alice", "Slide 2", new_scene())
    assert [saved.name for saved in scenes.list("alice")] == ["Slide 2", "Launch visual"]
    assert scenes.load("alice", "Launch visual") == a_scene()


def test_saving_under_the_same_name_replaces(scenes):
    scenes.save(None, "Draft", a_scene(100))
    scenes.save(None, "Draft", a_scene(300))
    assert len(scenes.list(None)) == 1
    assert scenes.load(None, "Draft").layers[0].x == 300


def test_each_user_sees_only_their_own(scenes):
    scenes.save("alice", "Mine", a_scene())
    assert scenes.list("bob") == []
    assert scenes.list(None) == [], "standalone is the 'local' user"
    with pytest.raises(storage.StorageError, match="no saved composition"):
        scenes.load("bob", "Mine")
    assert scenes.user_folder("a.b") != scenes.user_folder("a-b")
    assert scenes.user_folder("../../etc").parent == scenes.scenes_root


@pytest.mark.parametrize("name", ["", "   ", "../secret", "a/b", "a\\b", ".hidden", "x" * 61, "name\x00", "..",
                                  "a..b"])
def test_names_that_could_reach_the_file_system_are_refused(scenes, name):
    with pytest.raises(storage.StorageError, match="a name is 1 to 60"):
        scenes.save(None, name, a_scene())
    assert not scenes.scenes_root.exists()


def test_a_damaged_file_is_skipped_in_the_list_and_reported_on_open(scenes):
    scenes.save(None, "Good", a_scene())
    scenes.save(None, "Bad", a_scene())
    bad = next(path for path in scenes.user_folder(None).glob("bad-*.json"))
    bad.write_text("{not json")
    assert [saved.name for saved in scenes.list(None)] == ["Good"]
    with pytest.raises(storage.StorageError, match="cannot be read"):
        scenes.load(None, "Bad")


def test_a_saved_scene_bigger_than_todays_limit_is_refused(scenes):
    scenes.save(None, "Big", nudge(a_scene(), "abcdef12", 1, 1))
    with pytest.raises(storage.StorageError, match="not valid here"):
        ComposeStorage(scenes.data_dir, max_side=256).load(None, "Big")


def test_delete(scenes):
    scenes.save(None, "Gone", a_scene())
    scenes.save(None, "Kept", a_scene())
    scenes.delete(None, "Gone")
    assert [saved.name for saved in scenes.list(None)] == ["Kept"]


def test_deleting_what_is_not_there_says_so_and_deletes_nothing(scenes):
    scenes.save(None, "Kept", a_scene())
    scenes.save("someone", "Theirs", a_scene())
    for user, name in ((None, "Never saved"), (None, "Theirs"), ("someone", "Kept")):
        with pytest.raises(storage.StorageError, match=f"there is no saved composition called '{name}': nothing was"):
            scenes.delete(user, name)
    assert [saved.name for saved in scenes.list(None)] == ["Kept"]
    assert [saved.name for saved in scenes.list("someone")] == ["Theirs"]
