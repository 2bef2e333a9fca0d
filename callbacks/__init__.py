"""Behaviour of the pages, installed as ``dash_app.callbacks``: one module per page, each with ``register(app)``.

Callbacks are registered on the app the factory builds, never at import, so building an app twice
(tests, a host with a worker) registers nothing twice.
"""

from dash import Dash

from dash_app.callbacks import compose, data, shell, training


def register(app: Dash) -> None:
    """Register every page's callbacks on ``app``."""
    shell.register(app)
    data.register(app)
    training.register(app)
    compose.register(app)
