"""Flask routes of the Training page: a run's artifacts (images shown on the pages, files to download).

A request names a run id (an integer) and an artifact name; both are checked against the run store
before anything is read, and the file is sent from ``<data_dir>/runs/<id>/`` with Flask's safe join.
No path from the browser reaches the file system unchecked. A run's artifacts (weights included) are
sent only to users who may see the run (dash_app/identity.py ``may_view_run``: everyone signed in when
runs are shared, else its owner and admins); anyone else gets 404, as for a run that does not exist.
"""

from __future__ import annotations

from flask import Flask, Response, abort, request, send_from_directory

from dash_app.auth import current_identity
from dash_app.identity import may_view_run
from dash_app.runs.artifacts import ARTIFACT_NAME, artifact_route
from dash_app.runs.executor import run_folder
from dash_app.settings import Settings
from dash_app.workbench import get_workbench

ENDPOINT = "dash_app_training_artifact"


def register(server: Flask, settings: Settings) -> None:
    """Add the Training page's routes to ``server`` under ``settings.url_prefix``."""
    server.add_url_rule(artifact_route(settings), ENDPOINT, _artifact)


def _artifact(run_id: int, name: str) -> Response:
    workbench = get_workbench()
    if not ARTIFACT_NAME.match(name) or not workbench.runs.has_artifact(run_id, name):
        abort(404)
    run = workbench.runs.get(run_id)
    if run is None or not may_view_run(current_identity(), run.owner, shared=workbench.settings.share_runs):
        abort(404, description="No such run artifact that you may see.")
    # Pictures may be shown in the page; weights and settings (and anything asked with download=1) are always
    # downloads. Flask names the file in Content-Disposition either way, from the checked name (ARTIFACT_NAME)
    # with the run's number, so that the weights of several runs land as several files, not "weights (1).pt".
    response = send_from_directory(
        run_folder(workbench.settings.data_dir, run_id), name, download_name=f"run-{run_id}-{name}",
        as_attachment=request.args.get("download") == "1" or not name.endswith(".png"), max_age=3600,
        # PyTorch's weights: the system's table would guess a type of its own for ".pt"
        mimetype="application/octet-stream" if name.endswith(".pt") else None,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
