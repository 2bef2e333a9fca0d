"""Behaviour of the pages, installed as ``dash_app.callbacks``: one module per page, each with ``register(app)``.

Callbacks are registered on the app the factory builds, never at import, so building an app twice
(tests, a host with a worker) registers nothing twice.
"""

from collections.abc import Callable

from dash import Dash

from dash_app.callbacks import compose, data, shell, training
from dash_app.callbacks.training_support import shows_a_run

# Pages whose address names a thing: whether it is there for this user (else the page is answered with 404,
# dash_app/routing.py), by the page's path template, given the address's variables.
PAGES_THAT_NAME_A_THING: dict[str, Callable[..., bool]] = {"/training/runs/<run_id>": shows_a_run}


def register(app: Dash) -> None:
    """Register every page's callbacks on ``app``."""
    shell.register(app)
    data.register(app)
    training.register(app)
    compose.register(app)
