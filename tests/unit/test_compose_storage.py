"""Saved compositions: per user, named safely, never a path from the browser."""

from __future__ import annotations

import pytest

from dash_app.compose import storage
from dash_app.compose.edit import new_scene, nudge
from dash_app.compose.scene import scene_from_dict

IMG = "0123456789abcdef0123456789abcdef"


def a_scene(x=100):
    return scene_from_dict({"canvas": {"width": 800, "height": 600},
                            "background": {"kind": "solid", "color": "#ffffff"},
                            "layers": [{"id": "abcdef12", "image_id": IMG, "x": x, "y": 50}]})


def test_save_list_and_reopen(tmp_path):
    storage.save_scene(tmp_path, "alice", "Launch visual", a_scene())
    storage.save_scene(tmp_path, "alice", "Slide 2", new_scene())
    assert [saved.name for saved in storage.list_scenes(tmp_path, "alice")] == ["Slide 2", "Launch visual"]
    assert storage.load_scene(tmp_path, "alice", "Launch visual", max_side=8192) == a_scene()


def test_saving_under_the_same_name_replaces(tmp_path):
    storage.save_scene(tmp_path, None, "Draft", a_scene(100))
    storage.save_scene(tmp_path, None, "Draft", a_scene(300))
    assert len(storage.list_scenes(tmp_path, None)) == 1
    assert storage.load_scene(tmp_path, None, "Draft", max_side=8192).layers[0].x == 300


def test_each_user_sees_only_their_own(tmp_path):
    storage.save_scene(tmp_path, "alice", "Mine", a_scene())
    assert storage.list_scenes(tmp_path, "bob") == []
    assert storage.list_scenes(tmp_path, None) == [], "standalone is the 'local' user"
    with pytest.raises(storage.StorageError, match="no saved composition"):
        storage.load_scene(tmp_path, "bob", "Mine", max_side=8192)
    assert storage.user_folder(tmp_path, "a.b") != storage.user_folder(tmp_path, "a-b")
    assert storage.user_folder(tmp_path, "../../etc").parent == storage.scenes_root(tmp_path)


@pytest.mark.parametrize("name", ["", "   ", "../secret", "a/b", "a\\b", ".hidden", "x" * 61, "name\x00", "..",
                                  "a..b"])
def test_names_that_could_reach_the_file_system_are_refused(tmp_path, name):
    with pytest.raises(storage.StorageError, match="a name is 1 to 60"):
        storage.save_scene(tmp_path, None, name, a_scene())
    assert not storage.scenes_root(tmp_path).exists()


def test_a_damaged_file_is_skipped_in_the_list_and_reported_on_open(tmp_path):
    storage.save_scene(tmp_path, None, "Good", a_scene())
    storage.save_scene(tmp_path, None, "Bad", a_scene())
    bad = next(path for path in storage.user_folder(tmp_path, None).glob("bad-*.json"))
    bad.write_text("{not json")
    assert [saved.name for saved in storage.list_scenes(tmp_path, None)] == ["Good"]
    with pytest.raises(storage.StorageError, match="cannot be read"):
        storage.load_scene(tmp_path, None, "Bad", max_side=8192)


def test_a_saved_scene_bigger_than_todays_limit_is_refused(tmp_path):
    storage.save_scene(tmp_path, None, "Big", nudge(a_scene(), "abcdef12", 1, 1))
    with pytest.raises(storage.StorageError, match="not valid here"):
        storage.load_scene(tmp_path, None, "Big", max_side=256)


def test_delete(tmp_path):
    storage.save_scene(tmp_path, None, "Gone", a_scene())
    storage.save_scene(tmp_path, None, "Kept", a_scene())
    storage.delete_scene(tmp_path, None, "Gone")
    assert [saved.name for saved in storage.list_scenes(tmp_path, None)] == ["Kept"]


def test_deleting_what_is_not_there_says_so_and_deletes_nothing(tmp_path):
    storage.save_scene(tmp_path, None, "Kept", a_scene())
    storage.save_scene(tmp_path, "someone", "Theirs", a_scene())
    for user, name in ((None, "Never saved"), (None, "Theirs"), ("someone", "Kept")):
        with pytest.raises(storage.StorageError, match=f"there is no saved composition called '{name}': nothing was"):
            storage.delete_scene(tmp_path, user, name)
    assert [saved.name for saved in storage.list_scenes(tmp_path, None)] == ["Kept"]
    assert [saved.name for saved in storage.list_scenes(tmp_path, "someone")] == ["Theirs"]
