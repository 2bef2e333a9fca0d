"""How every page declares its callbacks: named outputs from a table of targets, and clientside functions.

A server callback is a module-level function registered with named outputs, inputs and states
(``app.callback(output={...}, inputs={...}, state={...})``); it returns a dict with one entry per output.
A clientside callback names a function of the page's namespace in assets/js/ (no inline script).
"""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Dash, Output, no_update


def outputs(targets: dict[str, tuple]) -> dict[str, Output]:
    """Named outputs from ``{name: (component id, property[, allow_duplicate])}``."""
    return {name: Output(*target) for name, target in targets.items()}


def unchanged(targets: dict) -> dict:
    """Every named output left as the page shows it."""
    return dict.fromkeys(targets, no_update)


def clientside(app: Dash, namespace: str, function: str, output: Output | list[Output], *dependencies: Any,
               **options: Any) -> None:
    """Register ``namespace.function`` (assets/js/<namespace>.js) for ``output`` and its inputs and states."""
    app.clientside_callback(ClientsideFunction(namespace, function), output, *dependencies, **options)
