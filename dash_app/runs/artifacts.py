"""Where the app serves a run's artifacts: the URL rule shared by the Flask route that sends them
(dash_app/web/training.py) and the pages that link to them (callbacks/training_run.py, training_compare.py).

The files themselves live in ``<data_dir>/runs/<id>/`` (dash_app/runs/executor.py ``run_folder``).
"""

from __future__ import annotations

import re

from dash_app.settings import Settings

ARTIFACT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,60}\.(png|pt|json)$")
ARTIFACTS_FOLDER = "training-artifacts"


def artifact_route(settings: Settings) -> str:
    """The Flask URL rule of one artifact, under the product's prefix."""
    return f"{settings.url_prefix}{ARTIFACTS_FOLDER}/<int:run_id>/<name>"


def artifact_path(settings: Settings, run_id: int, name: str) -> str:
    """The URL path of one artifact, under the product's prefix."""
    return f"{settings.url_prefix}{ARTIFACTS_FOLDER}/{int(run_id)}/{name}"
