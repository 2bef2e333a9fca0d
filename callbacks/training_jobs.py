"""The background callback that runs one training run in the job process.

Why one launcher per run (pattern-matching ``MATCH`` ids), not one background callback for the Start
button: dash-renderer terminates a still-running job when the same background callback is called
again with the same outputs (it sends ``oldJob``, and the server kills that job: dash#2751; checked in
dash 4.4.1, ``dash_renderer`` compares ``JSON.stringify(payload.outputs)`` with each pending job's
outputs, and ``_callback._get_callback_manager`` terminates the old job). A second Start by the same
user would kill the first run. The page therefore has fixed launcher slots (``ids.train_launcher(slot)``
with a result and a progress store each, ``pages.training.LAUNCHER_SLOTS`` of them); Start writes the
new run's id into a free slot. Each slot is its own instance of the ``MATCH`` callback with its own
outputs, so runs never cancel each other. The slots are in the layout from the start and only their
``data`` changes: adding launcher components instead would make the renderer re-fire the callbacks of
the launchers already there (it re-crawls the new children), sending ``oldJob`` for them, which was
seen killing the first run when a second was started.

Why the store, not Dash, owns the run's lifecycle: the background callback's function only calls
:func:`dash_app.runs.executor.execute_run`, which waits in the store's queue, trains, and records
progress, metrics, artifacts and the final status in the store. Everything a page shows (after a
reload, in a second tab, for another user) and every cancel goes through the store, so nothing
depends on the browser that pressed Start staying open. Progress also goes to the launcher's progress
store through ``dash.set_props`` (Dash refuses ``progress=`` outputs with pattern-matching ids, and
``set_props`` is the background callback's other channel to the browser that started it), but nothing
needs it.

It runs with whatever manager the app has: DiskcacheManager forks a ``multiprocess`` child of the web
process, CeleryManager sends it to a worker (which built the same app, so the same callback). torch
is imported only there, inside ``execute_run``.
"""

from __future__ import annotations

from dash import MATCH, Dash, Input, Output, ctx, set_props
from dash.exceptions import PreventUpdate

from dash_app import ids


def register(app: Dash) -> None:
    """Register the launcher's background callback."""

    @app.callback(
        Output(ids.train_launcher_result(MATCH), "data"),
        Input(ids.train_launcher(MATCH), "data"),
        background=True,
        prevent_initial_call=True,
    )
    def run_training_job(run_id):
        """Run the queued run ``run_id`` to its end in this job process and return its final status."""
        if not isinstance(run_id, int) or isinstance(run_id, bool):
            raise PreventUpdate
        slot = ctx.triggered_id["slot"]
        settings = app.server.extensions["dash_app"]["settings"]
        from dash_app.runs.executor import execute_run
        from dash_app.runs.store import open_store

        def set_progress(snapshot) -> None:
            # Dash refuses progress= outputs with pattern-matching ids; set_props is its equivalent here.
            set_props(ids.train_launcher_progress(slot), {"data": snapshot})

        store = open_store(settings.store_url)  # a connection of this process' own, never the parent's
        try:
            status = execute_run(store, run_id, data_dir=settings.data_dir, max_running=settings.max_concurrent_jobs,
                                 databases=settings.databases, set_progress=set_progress)
        finally:
            store.dispose()
        return {"run": run_id, "status": status}
