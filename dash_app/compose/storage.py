"""Compose's files: uploaded images and saved compositions, under the app's data directory.

:class:`ComposeStorage` is the one object through which the Compose page's callbacks and routes reach
them (the app's :class:`dash_app.workbench.Workbench` owns it as ``compose``); the checks themselves stay
in the pure modules it calls (:mod:`dash_app.compose.intake`, :mod:`dash_app.compose.export`).

Nothing the browser sends becomes a path unchecked: image ids must be generated ids, composition names
are validated and turned into a slug the code builds, and every resolved path is checked to stay inside
the scenes folder.

Everything here belongs to a user, keyed by the host's stable user id (dash_app/identity.py), never by a
display name: each user's compositions are in a folder named from their id, and each uploaded image
records its owner next to it. A storage is bound to the user of the request (``as_user``; the app's
workbench does it, dash_app/workbench.py): its image methods refuse another user's image as
:class:`ImageNotYours`. Folders named from display names by earlier versions are left as they were;
:mod:`dash_app.compose.legacy` lists them and hands each to its user.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from dash_app.compose import export, intake, quota
from dash_app.compose.scene import Background, PhotoBackground, Scene, SceneError, scene_from_dict, scene_to_dict
from dash_app.identity import STANDALONE, Identity, may_use_image

NAME_PATTERN = re.compile(r"^[\w][\w .,()+'-]{0,59}$")
LOCAL_USER = "local"


class StorageError(ValueError):
    """A saved composition cannot be written, found or read; the message is for the user."""


class ImageNotYours(export.MissingImage):
    """An image that another user uploaded: refused like a missing one (the routes answer 404)."""


@dataclass(frozen=True)
class SavedScene:
    """A saved composition as the list shows it."""

    name: str
    saved_at: float


def check_name(name: str) -> str:
    """The name, trimmed, or StorageError saying what a name may contain."""
    name = (name or "").strip()
    if not NAME_PATTERN.fullmatch(name) or ".." in name:
        msg = "a name is 1 to 60 letters, digits, spaces or . , ( ) + ' - _ and starts with a letter or digit"
        raise StorageError(msg)
    return name


def legacy_folder_name(label: str) -> str:
    """The folder earlier versions kept a user's compositions in, named from a display name ("local" standalone)."""
    readable = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40] or "user"
    return f"{readable}-{hashlib.sha256(label.encode()).hexdigest()[:10]}"


class ComposeStorage:
    """Where one app keeps Compose's files: uploaded images and saved compositions, under its data directory.

    ``max_side`` is the canvas limit a saved composition must still meet when it is opened. ``viewer`` is
    the user the image methods act for (the standalone user, who may use every image, unless bound with
    :meth:`as_user`).
    """

    def __init__(self, data_dir: Path, *, max_side: int, viewer: Identity = STANDALONE,
                 upload_limits: quota.UploadLimits | None = None) -> None:
        self.data_dir, self.max_side, self.viewer = data_dir, max_side, viewer
        self.upload_limits = upload_limits  # per user (dash_app/compose/quota.py); None: no limits

    def as_user(self, viewer: Identity) -> ComposeStorage:
        """The same files, with the image methods acting for ``viewer``."""
        return ComposeStorage(self.data_dir, max_side=self.max_side, viewer=viewer, upload_limits=self.upload_limits)

    # Uploaded images: stored under a generated id by dash_app/compose/intake.py, with their owner's id.

    def accept_image(self, data: bytes, *, max_bytes: int, max_pixels: int) -> intake.StoredImage:
        """Check an upload (the viewer's upload limits first) and store it as the viewer's; intake.ImageRejected
        with a message for the user (quota.UploadLimitReached when it is a limit)."""
        if self.viewer.is_nobody:
            msg = "sign in to upload images"
            raise intake.ImageRejected(msg)
        if self.upload_limits is None:
            return intake.accept_image(data, data_dir=self.data_dir, max_bytes=max_bytes, max_pixels=max_pixels,
                                       owner=self.viewer.id)
        ledger = quota.UploadLedger(self.data_dir, self.viewer.id, intake.images_dir(self.data_dir))
        ledger.admit(len(data), self.upload_limits)  # quota.UploadLimitReached, an ImageRejected
        stored = intake.accept_image(data, data_dir=self.data_dir, max_bytes=max_bytes, max_pixels=max_pixels,
                                     owner=self.viewer.id)
        files = (intake.image_path(self.data_dir, stored.id), intake.image_path(self.data_dir, stored.id, display=True))
        ledger.record(stored.id, sum(path.stat().st_size for path in set(files)))
        return stored

    def store_picture(self, picture: Image.Image) -> intake.StoredImage:
        """Store an image the app drew itself (a chart, a run's artifact) as the viewer's, like an upload."""
        if self.viewer.is_nobody:
            msg = "sign in to add pictures"
            raise intake.ImageRejected(msg)
        image = picture if picture.mode in ("RGB", "RGBA") else picture.convert("RGBA")
        return intake.store_image(image, data_dir=self.data_dir, owner=self.viewer.id)

    def image_owner(self, image_id: str) -> str | None:
        """The stable id of the user who uploaded the image (None: standalone, or before owners were kept)."""
        return intake.image_owner(self.data_dir, image_id)

    def image_path(self, image_id: str, *, display: bool = False) -> Path:
        """Path of a stored image; ValueError for anything but a generated id, ImageNotYours for another's."""
        path = intake.image_path(self.data_dir, image_id, display=display)
        self._check_image(image_id)
        return path

    def _check_image(self, image_id: str) -> None:
        if not may_use_image(self.viewer, self.image_owner(image_id)):
            msg = f"the image {image_id} belongs to another user"
            raise ImageNotYours(msg)

    def is_stored(self, image_id: Any) -> bool:
        """Whether ``image_id`` names a stored image the viewer may use (False for anything not one of our ids)."""
        try:
            return self.image_path(image_id).is_file()
        except (ValueError, ImageNotYours):  # not one of our ids, or another user's image
            return False

    def image_size(self, image_id: str) -> tuple[int, int]:
        """Size of a stored image, from its header."""
        self._check_image(image_id)
        return intake.image_size(self.data_dir, image_id)

    def preview_background(self, spec: Background, width: int, height: int, density: int = 1) -> Image.Image:
        """The preview background of a ``width`` x ``height`` canvas (export.MissingImage for a gone photo)."""
        if isinstance(spec, PhotoBackground):
            self._check_image(spec.image_id)
        return export.preview_background(self.data_dir, spec, width, height, density)

    def export_scene(self, scene: Scene, fmt: str) -> export.Encoded:
        """The scene at full resolution, encoded as ``fmt`` (export.MissingImage for a gone or another's image)."""
        for image_id in sorted(scene.image_ids()):
            self._check_image(image_id)
        return export.export_scene(self.data_dir, scene, fmt)

    # Saved compositions: one JSON file per name, in a folder per user.

    @property
    def scenes_root(self) -> Path:
        return self.data_dir / "compose" / "scenes"

    def user_folder(self, user: str | None) -> Path:
        """The folder of the compositions of the user whose stable id is ``user`` (None: the standalone user).

        Named ``u-<readable>-<16 hex digits of the id's hash>``; the folders earlier versions named from
        display names end in 10 hex digits (:func:`legacy_folder_name`), so the two never meet.
        """
        if user is None:
            return self.scenes_root / legacy_folder_name(LOCAL_USER)
        if not user:
            msg = "sign in to keep compositions"
            raise StorageError(msg)
        readable = re.sub(r"[^a-z0-9]+", "-", user.lower()).strip("-")[:40] or "user"
        digest = hashlib.sha256(f"user-id:{user}".encode()).hexdigest()[:16]
        return self.scenes_root / f"u-{readable}-{digest}"

    def _file_for(self, user: str | None, name: str) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", check_name(name).lower()).strip("-") or "scene"
        digest = hashlib.sha256(check_name(name).lower().encode()).hexdigest()[:8]
        folder = self.user_folder(user)
        path = (folder / f"{slug[:50]}-{digest}.json").resolve()
        if path.parent != folder.resolve():
            msg = "that name cannot be used"
            raise StorageError(msg)
        return path

    def save(self, user: str | None, name: str, scene: Scene) -> SavedScene:
        """Save (or replace) the composition called ``name`` for ``user``."""
        name = check_name(name)
        path = self._file_for(user, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        saved = SavedScene(name, time.time())
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps({"name": name, "saved_at": saved.saved_at, "scene": scene_to_dict(scene)}))
        os.replace(partial, path)
        return saved

    def load(self, user: str | None, name: str) -> Scene:
        """The saved composition called ``name``; StorageError when missing or no longer valid."""
        path = self._file_for(user, name)
        try:
            record = json.loads(path.read_text())
        except FileNotFoundError:
            msg = f"there is no saved composition called {name!r} among yours"
            raise StorageError(msg) from None
        except (OSError, ValueError) as error:
            msg = f"the composition {name!r} cannot be read ({type(error).__name__})"
            raise StorageError(msg) from None
        try:
            return scene_from_dict(record.get("scene") if isinstance(record, dict) else None, max_side=self.max_side)
        except SceneError as error:
            msg = f"the composition {name!r} is not valid here: {error}"
            raise StorageError(msg) from None

    def check_deletable(self, user: str | None, name: str) -> None:
        """StorageError, as :meth:`delete` would give, when ``user`` has no composition called ``name``."""
        if not self._file_for(user, name).is_file():
            raise StorageError(_nothing_to_delete(name))

    def delete(self, user: str | None, name: str) -> None:
        """Delete the saved composition called ``name``; StorageError when there is none (deleted elsewhere already)."""
        try:
            self._file_for(user, name).unlink()
        except FileNotFoundError:
            raise StorageError(_nothing_to_delete(name)) from None

    def list(self, user: str | None) -> list[SavedScene]:
        """The user's saved compositions, newest first (unreadable files are skipped)."""
        folder = self.user_folder(user)
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


def _nothing_to_delete(name: str) -> str:
    return (f"there is no saved composition called {name!r}: nothing was deleted"
            " (only your own can be; was it deleted already?)")
