"""Saved compositions: one JSON file per name, in a folder per user, under the data directory.

Nothing the browser sends becomes a path unchecked: names are validated and turned into a slug the
code builds, user names are slugged with a short hash (so two users never share a folder), and every
resolved path is checked to stay inside the scenes folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from dash_app.compose.scene import Scene, SceneError, scene_from_dict, scene_to_dict

NAME_PATTERN = re.compile(r"^[\w][\w .,()+'-]{0,59}$")
LOCAL_USER = "local"


class ComposeStorage:
    """Where one app keeps Compose's files: uploaded images and saved compositions, under its data directory."""

    def __init__(self, data_dir: Path, *, max_side: int) -> None:
        self.data_dir, self.max_side = data_dir, max_side


class StorageError(ValueError):
    """A saved composition cannot be written, found or read; the message is for the user."""


@dataclass(frozen=True)
class SavedScene:
    """A saved composition as the list shows it."""

    name: str
    saved_at: float


def scenes_root(data_dir: Path) -> Path:
    return data_dir / "compose" / "scenes"


def user_folder(data_dir: Path, user: str | None) -> Path:
    """The folder of one user's compositions ("local" when standalone)."""
    user = user or LOCAL_USER
    readable = re.sub(r"[^a-z0-9]+", "-", user.lower()).strip("-")[:40] or "user"
    digest = hashlib.sha256(user.encode()).hexdigest()[:10]
    return scenes_root(data_dir) / f"{readable}-{digest}"


def check_name(name: str) -> str:
    """The name, trimmed, or StorageError saying what a name may contain."""
    name = (name or "").strip()
    if not NAME_PATTERN.fullmatch(name) or ".." in name:
        msg = "a name is 1 to 60 letters, digits, spaces or . , ( ) + ' - _ and starts with a letter or digit"
        raise StorageError(msg)
    return name


def _file_for(data_dir: Path, user: str | None, name: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", check_name(name).lower()).strip("-") or "scene"
    digest = hashlib.sha256(check_name(name).lower().encode()).hexdigest()[:8]
    folder = user_folder(data_dir, user)
    path = (folder / f"{slug[:50]}-{digest}.json").resolve()
    if path.parent != folder.resolve():
        msg = "that name cannot be used"
        raise StorageError(msg)
    return path


def save_scene(data_dir: Path, user: str | None, name: str, scene: Scene) -> SavedScene:
    """Save (or replace) the composition called ``name`` for ``user``."""
    name = check_name(name)
    path = _file_for(data_dir, user, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = SavedScene(name, time.time())
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"name": name, "saved_at": saved.saved_at, "scene": scene_to_dict(scene)}))
    os.replace(partial, path)
    return saved


def list_scenes(data_dir: Path, user: str | None) -> list[SavedScene]:
    """The user's saved compositions, newest first (unreadable files are skipped)."""
    folder = user_folder(data_dir, user)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.json"):
        try:
            record = json.loads(path.read_text())
            found.append(SavedScene(str(record["name"]), float(record["saved_at"])))
        except (OSError, ValueError, KeyError, TypeError):  # a damaged file must not hide the others
            continue
    return sorted(found, key=lambda saved: saved.saved_at, reverse=True)


def load_scene(data_dir: Path, user: str | None, name: str, *, max_side: int) -> Scene:
    """The saved composition called ``name``; StorageError when missing or no longer valid."""
    path = _file_for(data_dir, user, name)
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        msg = f"there is no saved composition called {name!r}"
        raise StorageError(msg) from None
    except (OSError, ValueError) as error:
        msg = f"the composition {name!r} cannot be read ({type(error).__name__})"
        raise StorageError(msg) from None
    try:
        return scene_from_dict(record.get("scene") if isinstance(record, dict) else None, max_side=max_side)
    except SceneError as error:
        msg = f"the composition {name!r} is not valid here: {error}"
        raise StorageError(msg) from None


def delete_scene(data_dir: Path, user: str | None, name: str) -> None:
    """Delete the saved composition called ``name``; StorageError when there is none (deleted elsewhere already)."""
    try:
        _file_for(data_dir, user, name).unlink()
    except FileNotFoundError:
        msg = f"there is no saved composition called {name!r}: nothing was deleted (was it deleted already?)"
        raise StorageError(msg) from None
