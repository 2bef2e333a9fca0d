"""The Training callbacks' output, called directly in a request of a real app with real runs in its store."""

from __future__ import annotations

import json
import time

import plotly.io
import pytest
from dash.exceptions import PreventUpdate

from dash_app.callbacks import training_compare, training_form, training_live, training_run
from dash_app.jobs.config import TrainConfig
from dash_app.runs.executor import execute_run
from dash_app.workbench import get_workbench


@pytest.fixture
def finished(app, settings):
    """Two finished spirals runs that differ in their epochs, and one queued run."""
    store = get_workbench(app.server).runs
    ids = []
    for epochs in (2, 3):
        run_id = store.create_run(TrainConfig(dataset="spirals", epochs=epochs, spiral_points=40).to_json(),
                                  "spirals", user=None, backend="diskcache")
        execute_run(store, run_id, data_dir=settings.data_dir, max_running=1, databases={})
        ids.append(run_id)
    ids.append(store.create_run(TrainConfig().to_json(), "queued one", user=None, backend="diskcache"))
    return ids


def _json(component) -> str:
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder)


def test_the_live_view_lists_active_runs_and_every_run_in_the_grid(app, finished):
    with app.server.test_request_context("/"):
        active, rows, signature, interval, figure, title = training_live.refresh(0, 0, None)
        assert [row["run_id"] for row in rows] == finished[::-1]
        assert rows[-1]["status"] == "succeeded" and rows[-1]["id"] == f"[#{finished[0]}](/training/runs/{finished[0]})"
        assert "Waiting for a free slot: next to start" in _json(active)
        assert interval == 1000
        assert f"#{finished[1]}" in _json(title), "with nothing running, the last run's curves"
        again = training_live.refresh(1, 0, signature)
        assert again[0] is not None and again[1].__class__.__name__ == "NoUpdate", "unchanged rows are not resent"


def test_the_run_page_shows_settings_curves_and_artifacts(app, finished, settings):
    with app.server.test_request_context("/"):
        head, details, figure, artifacts, poll_off = training_run.show_run(0, str(finished[0]))
    text = _json([head, details, artifacts])
    assert "Succeeded" in text and "Decision boundary" in text and "weights.pt?download=1" in text
    assert poll_off, "a finished run is read once"
    assert len(figure.data) == 4 and figure.layout.uirevision == f"run-{finished[0]}"


def test_the_run_page_of_a_missing_run_says_so(app):
    with app.server.test_request_context("/"):
        head, *_rest, poll_off = training_run.show_run(0, "nope")
    assert "There is no run 'nope'" in _json(head) and poll_off


def test_compare_marks_the_differing_settings(app, finished):
    with app.server.test_request_context("/"):
        note, figure, table, pictures = training_compare.compare(f"{finished[0]},{finished[1]},77")
    assert "#77" in _json(note)
    assert {trace.legendgroup for trace in figure.data} == {f"#{finished[0]}", f"#{finished[1]}"}
    rows = _json(table)
    assert rows.count('"data-differs": "true"') == 1 and "Epochs" in rows
    pictures = _json(pictures)
    assert all(f'"src": "/training-artifacts/{run_id}/curves.png"' in pictures for run_id in finished[:2])


def _press_start(epochs: int):
    """Call Start as the page does, with the digits form's default values and ``epochs``."""
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    defaults = TrainConfig()
    numbers = [{"id": {"type": "train-field", "field": name}, "value": getattr(defaults, name)}
               for name in ("epochs", "batch_size", "learning_rate", "hidden_size", "val_split", "seed")]
    numbers[0]["value"] = epochs
    choices = [{"id": {"type": "train-choice", "field": name}, "value": value}
               for name, value in (("dataset", "digits"), ("model", "mlp"), ("optimizer", "adam"))]
    feedback_ids = [{"type": "train-choice-feedback", "field": name} for name in ("model", "database")]
    context_value.set(AttributeDict(states_list=[numbers, choices], inputs_list=[], triggered_inputs=[]))
    return training_form.start_run(1, None, None, feedback_ids, 0)


def test_start_refuses_bad_values_then_queues_and_launches_a_run_that_needs_no_page(app, settings):

    store = get_workbench(app.server).runs
    with app.server.test_request_context("/"):
        refused = _press_start(0)
        assert "Nothing started" in _json(refused[0])
        assert store.list_runs() == []
        started = _press_start(3)
    assert "Run #1 queued" in _json(started[0]) and started[1] == 1
    assert store.get(1).config["epochs"] == 3
    # Nothing else is called, as when the page is reloaded or closed right after Start: the server launched it.
    deadline = time.monotonic() + 120
    while store.get(1).is_active and time.monotonic() < deadline:
        time.sleep(0.1)
    assert store.get(1).status == "succeeded", store.get(1)
    assert store.artifacts(1)


def test_a_run_whose_launch_fails_ends_failed_with_the_reason(app, settings, monkeypatch):
    from dash_app.runs.launch import LaunchError

    def refuse(_run_id):
        raise LaunchError("the job queue does not answer (OperationalError)")

    monkeypatch.setattr(get_workbench(app.server).launcher, "launch", refuse)
    with app.server.test_request_context("/"):
        answer = _press_start(2)
    assert "could not be started: the job queue does not answer" in _json(answer[0])
    run = get_workbench(app.server).runs.get(1)
    assert run.status == "failed" and "the job queue does not answer" in run.error, "never left queued"


def test_cancel_needs_a_run_id_and_answers_for_any_run(app, finished):
    with app.server.test_request_context("/"):
        for request in (None, {}, {"run": "1"}, {"run": True}, ["run", 1]):
            with pytest.raises(PreventUpdate):
                training_live.cancel(request, 0)
        missing, _ = training_live.cancel({"run": 999, "at": 1}, 0)
        ended, _ = training_live.cancel({"run": finished[0], "at": 2}, 0)
        queued, refresh = training_live.cancel({"run": finished[2], "at": 3}, 4)
    assert "Run #999 does not exist." in _json(missing)
    assert "had already ended: succeeded" in _json(ended)
    assert f"Run #{finished[2]} cancelled." in _json(queued) and refresh == 5
