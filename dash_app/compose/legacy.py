"""Saved compositions that earlier versions filed under a display name: list them, hand each folder to its user.

Earlier versions kept a user's compositions in ``<data dir>/compose/scenes/<name>-<10 hex digits>/``,
named from the display name, which two accounts may share. Compositions are now filed under the
user's stable id (dash_app/compose/storage.py ``user_folder``), so those folders are no longer
shown to anyone; they are left on disk untouched until an operator, who knows whose they are, hands
each to its user:

    python -m dash_app.compose.legacy list
    python -m dash_app.compose.legacy adopt alice-martin-1a2b3c4d5e 42

``adopt`` moves the folder's compositions into the user's own folder (a name the user already has is
kept where it was, and reported) and records the user as the owner of the images they use that have
no owner yet. The standalone app's folder (``local-...``) is one of them once the app runs in a host.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dash_app.compose import intake
from dash_app.compose.storage import LOCAL_USER, ComposeStorage, StorageError, legacy_folder_name

LEGACY_FOLDER = re.compile(r"^[a-z0-9-]{1,40}-[0-9a-f]{10}$")


@dataclass(frozen=True)
class LegacyFolder:
    """One folder of compositions filed under a display name."""

    folder: str
    names: tuple[str, ...]
    standalone: bool  # the standalone app's own folder ("local")


def legacy_folders(storage: ComposeStorage) -> list[LegacyFolder]:
    """Every folder of compositions named from a display name, with the compositions' names."""
    root = storage.scenes_root
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and LEGACY_FOLDER.fullmatch(folder.name):
            names = tuple(sorted(name for name in (_name_of(path) for path in folder.glob("*.json")) if name))
            found.append(LegacyFolder(folder.name, names, folder.name == legacy_folder_name(LOCAL_USER)))
    return found


def _name_of(path: Path) -> str | None:
    try:
        record = json.loads(path.read_text())
        return str(record["name"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def adopt(storage: ComposeStorage, folder: str, user_id: str) -> tuple[list[str], list[str]]:
    """Move the compositions of a legacy ``folder`` to the user ``user_id``: (moved names, names kept back)."""
    if not LEGACY_FOLDER.fullmatch(folder) or not (storage.scenes_root / folder).is_dir():
        msg = f"{folder!r} is not a folder of compositions filed under a display name (see the list command)"
        raise StorageError(msg)
    if not user_id:
        msg = "the user id must not be empty"
        raise StorageError(msg)
    source = storage.scenes_root / folder
    moved, kept = [], []
    for path in sorted(source.glob("*.json")):
        name = _name_of(path)
        if name is None:
            continue
        target = storage._file_for(user_id, name)  # the storage names its own files
        if target.exists():
            kept.append(name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        _claim_images(storage, path, user_id)
        os.replace(path, target)
        moved.append(name)
    if not any(source.iterdir()):
        source.rmdir()
    return moved, kept


def _claim_images(storage: ComposeStorage, path: Path, user_id: str) -> None:
    """Record ``user_id`` as the owner of each image the composition uses that has no owner yet."""
    try:
        scene = json.loads(path.read_text()).get("scene") or {}
    except (OSError, ValueError, AttributeError):
        return
    image_ids = {layer.get("image_id") for layer in scene.get("layers") or [] if isinstance(layer, dict)}
    background = scene.get("background") if isinstance(scene.get("background"), dict) else {}
    image_ids.add(background.get("image_id"))
    for image_id in image_ids:
        try:
            if intake.image_path(storage.data_dir, image_id).is_file() and storage.image_owner(image_id) is None:
                intake.set_owner(storage.data_dir, image_id, user_id)
        except ValueError:  # not one of our ids
            continue


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dash_app.compose.legacy",
                                     description="Hand compositions filed under a display name to their users.")
    parser.add_argument("--data-dir", help="the app's data directory (default: DASH_APP_DATA_DIR, else ./data)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the folders filed under a display name, with their compositions")
    adopt_command = commands.add_parser("adopt", help="move a folder's compositions to a user")
    adopt_command.add_argument("folder", help="a folder name from the list command")
    adopt_command.add_argument("user_id", help="the user's stable id in the host (Flask-Login's get_id())")
    args = parser.parse_args(argv)
    from dash_app.settings import load_settings

    settings = load_settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    storage = ComposeStorage(settings.data_dir, max_side=settings.max_canvas_side)
    if args.command == "list":
        folders = legacy_folders(storage)
        for item in folders:
            note = " (the standalone app's)" if item.standalone else ""
            print(f"{item.folder}{note}: {', '.join(item.names) or 'no compositions'}")
        if not folders:
            print("no compositions are filed under a display name")
        return 0
    try:
        moved, kept = adopt(storage, args.folder, args.user_id)
    except StorageError as error:
        print(f"dash_app: {error}", file=sys.stderr)
        return 2
    print(f"moved to user {args.user_id}: {', '.join(moved) or 'nothing'}")
    if kept:
        print(f"kept in {args.folder} (the user already has these names): {', '.join(kept)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
