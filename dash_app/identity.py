"""Who is asking, as the product sees it: a stable id, a display name and roles; and who may do what.

Everything the product keeps for a user (runs, uploaded images, saved compositions) is keyed by
``Identity.id``, the host's stable user id (Flask-Login's ``get_id()``, or what an
:class:`dash_app.auth.Access` supplies). The display name is only a label: two accounts may share one.
This module is pure (no Flask): :mod:`dash_app.auth` builds the identity of a request, the domain
packages and the callbacks ask the rules below.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

MAX_ID_LENGTH = 200  # the run store's owner column (dash_app/runs/schema.py)


@dataclass(frozen=True)
class Identity:
    """The user of one request.

    ``id`` is None only for the one user of the standalone app (no host, no login), who owns everything;
    an empty ``id`` is nobody (not signed in), who owns nothing. ``admin`` users may do everything.
    """

    id: str | None
    name: str | None = None
    roles: frozenset[str] = frozenset()
    admin: bool = False

    @property
    def is_nobody(self) -> bool:
        return self.id == "" and not self.admin

    def owns(self, owner_id: str | None) -> bool:
        """Whether this user may act on something owned by ``owner_id`` (its owner, or an admin)."""
        return self.admin or (bool(self.id) and owner_id == self.id)


STANDALONE = Identity(None, None, frozenset(), admin=True)
NOBODY = Identity("", None, frozenset(), admin=False)


def host_identity(user_id: object, name: str | None, roles: object, admin_role: str) -> Identity:
    """The identity of a signed-in host user; NOBODY when the host gives no id."""
    if user_id is None or str(user_id) == "":
        return NOBODY
    text = str(user_id)
    if len(text) > MAX_ID_LENGTH:  # kept whole would not fit the store's column: a digest is as stable
        text = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    chosen = role_names(roles)
    return Identity(text, name, chosen, admin=admin_role in chosen)


def role_names(roles: object) -> frozenset[str]:
    """Role names from what a host gives: one name, an iterable of names, or nothing (anything else: none)."""
    if roles is None:
        return frozenset()
    if isinstance(roles, str):
        return frozenset({roles}) if roles else frozenset()
    if isinstance(roles, Iterable) and not isinstance(roles, (bytes, dict)):
        return frozenset(str(role) for role in roles if role is not None and str(role))
    return frozenset()  # fails closed: no roles, so no admin rights


def may_view_run(identity: Identity, owner_id: str | None, *, shared: bool) -> bool:
    """Whether the user may list, open, compare and download a run (shared runs: everyone signed in)."""
    if identity.is_nobody:
        return False
    return shared or identity.owns(owner_id)


def may_control_run(identity: Identity, owner_id: str | None) -> bool:
    """Whether the user may cancel (or delete) a run: its owner and admins only, shared or not."""
    return identity.owns(owner_id)


def may_use_image(identity: Identity, owner_id: str | None) -> bool:
    """Whether the user may show, place or export an uploaded image.

    An image with no recorded owner was uploaded before owners were recorded (or standalone); its id
    is a random 128-bit uuid, so it stays usable by whoever holds the id, as before (SECURITY.md).
    """
    if identity.is_nobody:
        return False
    return owner_id is None or identity.owns(owner_id)
