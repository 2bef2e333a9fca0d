"""The Training callbacks' output, called as plain functions in a request of a real app with real runs in its store.

The table pickers (list_tables, list_columns) are tested against a real database in
tests/unit/test_jobs_tables.py and tests/db/test_training_tables.py.
"""

from __future__ import annotations

import json

import plotly.io
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from dash_app.callbacks import training_compare, training_form, training_live, training_run
from dash_app.components.training import POLL_ACTIVE_MS, POLL_IDLE_MS, POLL_STARTING_MS, progress_block
from dash_app.jobs.config import TrainConfig
from dash_app.runs.executor import execute_run
from dash_app.runs.store import Run
from dash_app.workbench import get_workbench
from tests.unit.runs_support import wait_until


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
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


def test_the_live_view_lists_active_runs_and_every_run_in_the_grid(app, finished):
    with app.server.test_request_context("/"):
        answer = training_live.refresh(0, 0, None)
        rows = answer["rows"]
        assert [row["run_id"] for row in rows] == finished[::-1]
        assert rows[-1]["status"] == "succeeded" and rows[-1]["id"] == f"[#{finished[0]}](/training/runs/{finished[0]})"
        assert "Waiting for a free slot: next to start" in _json(answer["cards"])
        assert answer["interval"] == POLL_STARTING_MS < 500, "a slot is free: the queued run is about to start"
        assert f"#{finished[1]}" in _json(answer["title"]), "with nothing running, the last run's curves"
        again = training_live.refresh(1, 0, answer["signature"])
        assert again["rows"] is no_update, "unchanged rows are not resent"
        assert again["cards"] is no_update, "the cards stay while no run starts or ends (a Cancel button stays put)"


def test_a_running_runs_history_row_follows_its_epochs(app, finished):
    """Between status changes only the running run's row is sent again, after each epoch, with its figures."""
    from dash_app.runs.store import current_process

    store = get_workbench(app.server).runs
    running = finished[2]
    assert store.claim_slot(running, 1, current_process())
    store.record_progress(running, {"epoch": 1, "metrics": {"val_accuracy": 0.5}}, [{"epoch": 1, "val_accuracy": 0.5}])
    with app.server.test_request_context("/"):
        first = training_live.refresh(0, 0, None)
        store.record_progress(running, {"epoch": 2, "metrics": {"val_accuracy": 0.75}},
                              [{"epoch": 2, "val_accuracy": 0.75}])
        later = training_live.refresh(1, 0, first["signature"])
        unchanged = training_live.refresh(2, 0, later["signature"])
    assert later["rows"] is no_update, "the other rows are not resent"
    assert [(row["run_id"], row["val_accuracy"]) for row in later["row_updates"]["update"]] == [(running, 0.75)]
    assert "75.0%" in _json(progress_block(store.get(running))), "the card says it as the grid does"
    assert unchanged["row_updates"] is no_update


def test_with_nothing_active_the_live_view_says_so_and_polls_slowly(app):
    with app.server.test_request_context("/"):
        answer = training_live.refresh(0, 0, None)
        assert "No run is queued or running" in _json(answer["cards"]) and answer["rows"] == []
        assert answer["interval"] == POLL_IDLE_MS
        assert "Live curves appear here" in _json(answer["figure"])
        again = training_live.refresh(1, 0, answer["signature"])
    assert all(again[name] is no_update for name in ("cards", "rows", "signature", "figure", "title"))
    assert again["interval"] == POLL_IDLE_MS


def test_the_page_looks_often_while_a_run_starts_and_draws_its_first_progress_at_once(app, finished):
    from dash_app.runs.store import current_process

    store = get_workbench(app.server).runs
    queued = finished[2]
    with app.server.test_request_context("/"):
        waiting = training_live.refresh(0, 0, None)
        store.claim_slot(queued, 1, current_process())
        started = training_live.refresh(1, 0, waiting["signature"])
        assert started["interval"] == POLL_STARTING_MS, "running, no progress yet: its first progress is near"
        assert "Preparing data and model" in _json(started["cards"])
        store.record_progress(queued, {"epoch": 1, "epochs": 3, "step": 0, "total_steps": 30, "status": "running"})
        progressed = training_live.refresh(2, 0, started["signature"])
        assert progressed["interval"] == POLL_ACTIVE_MS == 1000, "then at the usual pace"
        assert "Preparing data and model" not in _json(progressed["cards"]), "the first progress is drawn at once"
        assert "1 / 3" in _json(progressed["cards"])


def test_the_progress_of_each_active_card_is_refreshed_in_place(app, finished):
    bodies = [{"type": "train-active-body", "run": run_id} for run_id in (finished[2], finished[0])]
    with app.server.test_request_context("/"):
        answer = training_live.update_progress({}, bodies)
        with pytest.raises(PreventUpdate):
            training_live.update_progress({}, [])
    queued, ended = answer["bodies"]
    assert "Waiting for a free slot: next to start" in _json(queued)
    assert ended is no_update, "a run that has ended keeps its card until the cards are redrawn"


def test_a_queued_run_with_no_worker_to_take_it_says_so_instead_of_waiting_for_a_slot(app, finished, monkeypatch):
    """With Celery and no worker running (the launcher's answer), a queued run waits for a worker, not a slot:
    its card, its progress each second and its own page say so."""
    launcher = get_workbench(app.server).launcher
    bodies = [{"type": "train-active-body", "run": finished[2]}]
    with app.server.test_request_context("/"):
        monkeypatch.setattr(launcher, "unattended", lambda: True)
        cards = _json(training_live.refresh(0, 0, None)["cards"])
        body = _json(training_live.update_progress({}, bodies)["bodies"][0])
        page = _json(training_run.show_run(0, str(finished[2]))["details"])
        monkeypatch.setattr(launcher, "unattended", lambda: False)
        attended = _json(training_live.update_progress({}, bodies)["bodies"][0])
    for shown in (cards, body, page):
        assert "Waiting for a training worker: none is running (next to start)" in shown
        assert "free slot" not in shown
    assert "Waiting for a free slot: next to start" in attended, "once a worker runs, the run waits for a slot"


@pytest.mark.parametrize(("step", "label"), [(7, None), (40, "10%"), (200, "50%"), (400, "100%")])
def test_the_progress_bar_shows_its_percentage_only_once_the_bar_is_wide_enough_for_it(step, label):
    run = Run(id=1, config={"dataset": "digits"}, summary="digits", status="running", error=None, user=None,
              device="cpu", backend="diskcache", host=None, pid=None, pid_started=None, cancel_requested=False,
              progress={"step": step, "total_steps": 400, "epoch": 1, "epochs": 10, "metrics": {}},
              created_at=0.0, started_at=0.0, finished_at=None)
    bar = progress_block(run).children[0]
    assert getattr(bar, "label", None) == label, "a 2% bar cannot hold its label: it would show a cut-off digit"
    assert bar.value == round(step / 4, 1)


def test_compare_link_needs_two_selected_runs(app):
    with app.server.test_request_context("/"):
        none = training_live.compare_link(None)
        one = training_live.compare_link([{"run_id": 4}])
        two = training_live.compare_link([{"run_id": 9}, {"run_id": 4}])
    assert none == {"href": "/training/compare?runs=", "disabled": True}
    assert one["disabled"] and two == {"href": "/training/compare?runs=4,9", "disabled": False}


def test_the_run_page_shows_settings_curves_and_artifacts(app, finished, settings):
    with app.server.test_request_context("/"):
        answer = training_run.show_run(0, str(finished[0]))
    text = _json([answer["heading"], answer["details"], answer["artifacts"]])
    assert "Succeeded" in text and "Decision boundary" in text and "weights.pt?download=1" in text
    assert "Points per class" in text and "Row limit" not in text, "the settings of its data set only"
    assert answer["poll_off"], "a finished run is read once"
    figure = answer["figure"]
    assert len(figure.data) == 4 and figure.layout.uirevision == f"run-{finished[0]}"


def test_the_page_of_a_queued_run_polls_and_offers_cancel(app, finished):
    with app.server.test_request_context("/"):
        answer = training_run.show_run(0, str(finished[2]))
    assert "Queued" in _json(answer["heading"]) and "train-run-cancel" in _json(answer["heading"])
    assert "Waiting for a free slot" in _json(answer["details"])
    assert answer["artifacts"] == "" and not answer["poll_off"]


def test_the_run_page_of_a_missing_run_says_so(app):
    with app.server.test_request_context("/"):
        answer = training_run.show_run(0, "nope")
        missing = training_run.show_run(0, "99999")
        several = training_run.show_run(0, "1,2")
    assert "“nope” is not a run number." in _json(answer["heading"]) and answer["poll_off"] and answer["body_hidden"]
    assert "There is no run #99999." in _json(missing["heading"]) and missing["body_hidden"]
    assert "“1,2” is not a run number." in _json(several["heading"]), "one run's page, not the first of a list"


def test_a_run_pages_address_answers_404_unless_it_names_a_run(app, finished):
    """Bookmarks and monitoring get the real status; the browser still renders the page with its message."""
    client = app.server.test_client()
    assert client.get(f"/training/runs/{finished[0]}").status_code == 200
    for missing in ("99999", "abc", "1,2", "0", "-1"):
        answer = client.get(f"/training/runs/{missing}")
        assert answer.status_code == 404, missing
        assert 'id="react-entry-point"' in answer.get_data(as_text=True)


def test_cancel_on_the_run_page_cancels_that_run(app, finished):
    """The page's store holds the press ({"run", "at"}, assets/js/training.js): nothing else cancels anything."""
    with app.server.test_request_context("/"):
        for request in (None, {}, {"run": "7"}, {"run": True}, [finished[2]]):
            with pytest.raises(PreventUpdate):
                training_run.cancel_from_run_page(request)
        answer = training_run.cancel_from_run_page({"run": finished[2], "at": 1})
        missing = training_run.cancel_from_run_page({"run": 999, "at": 2})
    assert f"Run #{finished[2]} cancelled." in _json(answer["message"])
    assert "Run #999 does not exist." in _json(missing["message"])
    assert get_workbench(app.server).runs.get(finished[2]).status == "cancelled"


def test_compare_marks_the_differing_settings(app, finished):
    with app.server.test_request_context("/"):
        answer = training_compare.compare(f"{finished[0]},{finished[1]},77")
    assert "#77" in _json(answer["note"]) and answer["panels"] is False, "the chart and settings show"
    assert {trace.legendgroup for trace in answer["figure"].data} == {f"#{finished[0]}", f"#{finished[1]}"}
    rows = _json(answer["settings"])
    assert rows.count('"data-differs": "true"') == 1 and "Epochs" in rows
    assert "Points per class" in rows and "Row limit" not in rows, "only the settings the runs' data set uses"
    pictures = _json(answer["pictures"])
    assert all(f'"src": "/training-artifacts/{run_id}/curves.png"' in pictures for run_id in finished[:2])


def test_settings_show_the_forms_words_for_each_choice(app, finished):
    """The form offers "MLP" and "Adam": the run page and Compare say the same, not the stored codes."""
    store = get_workbench(app.server).runs
    digits = store.create_run(TrainConfig(optimizer="sgd").to_json(), "digits", user=None, backend="diskcache")
    store.request_cancel(digits)
    with app.server.test_request_context("/"):
        page = _json(training_run.show_run(0, str(digits))["details"])
        compared = _json(training_compare.compare(f"{finished[0]},{digits}")["settings"])
    for text in (page, compared):
        assert '"Digits"' in text and '"MLP"' in text and '"SGD with momentum"' in text
        assert '"mlp"' not in text and '"sgd"' not in text and '"digits"' not in text


def test_a_run_that_ended_before_its_first_epoch_says_it_has_no_curves(app, finished):
    """Not "Curves appear after the first epoch" under empty axes: it will write none."""
    store = get_workbench(app.server).runs
    with app.server.test_request_context("/"):
        waiting = training_run.show_run(0, str(finished[2]))["figure"]
        store.request_cancel(finished[2])
        ended = training_run.show_run(0, str(finished[2]))["figure"]
        compared = training_compare.compare(f"{finished[0]},{finished[2]}")
        other = store.create_run(TrainConfig().to_json(), "digits", user=None, backend="diskcache")
        store.request_cancel(other)
        neither = training_compare.compare(f"{finished[2]},{other}")
    assert [item.text for item in waiting.layout.annotations] == ["Curves appear after the first epoch"]
    assert not waiting.data and waiting.layout.xaxis.visible is False, "no empty axes before the first epoch"
    assert [item.text for item in ended.layout.annotations] == ["This run ended before its first epoch"]
    assert f"#{finished[2]} has no finished epoch, so no curves." in _json(compared["note"])
    assert {trace.legendgroup for trace in compared["figure"].data} == {f"#{finished[0]}"}
    assert [item.text for item in neither["figure"].layout.annotations] == ["None of these runs finished an epoch"]
    assert neither["note"] == "", "the chart says it"
    assert "None of these runs has pictures (only finished runs write them)." in _json(neither["pictures"])


def test_compare_keeps_the_accuracy_of_classifiers_beside_a_regression(app, finished):
    """A regression (here one that failed before its first epoch) adds an RMSE panel; the others keep theirs."""
    store = get_workbench(app.server).runs
    config = TrainConfig(dataset="table", task="regression", database="demo", table="products",
                         features=("unit_price",), target="cost").to_json()
    regression = store.create_run(config, "table", user=None, backend="diskcache")
    store.finish(regression, "failed", error="no rows")
    with app.server.test_request_context("/"):
        answer = training_compare.compare(f"{finished[0]},{finished[1]},{regression}")
    figure = answer["figure"]
    assert [note.text for note in figure.layout.annotations] == ["Loss", "Accuracy", "Validation RMSE"]
    assert "train-graph-wide" in answer["frame"].split(), "three panels scroll sideways on a phone, legibly"
    with app.server.test_request_context("/"):
        classifiers = training_compare.compare(f"{finished[0]},{finished[1]}")
    assert classifiers["frame"] == "train-graph-frame", "two panels fit a phone"
    rows = _json(answer["settings"])
    assert rows.count("Row limit") == 1 and rows.count("200000") == 1, "the spirals runs read no table rows"
    accuracy = [trace for trace in figure.data if trace.name.endswith("acc.")]
    assert {trace.legendgroup for trace in accuracy} == {f"#{finished[0]}", f"#{finished[1]}"}
    assert {trace.xaxis for trace in accuracy} == {"x2"}


def test_compare_says_which_runs_beyond_the_first_eight_are_left_out(app, finished):
    with app.server.test_request_context("/"):
        answer = training_compare.compare(",".join(str(i) for i in [finished[0], finished[1], *range(100, 110)]))
    note = _json(answer["note"])
    assert "At most 8 runs are compared at once, left out: #106, #107, #108, #109" in note
    assert {trace.legendgroup for trace in answer["figure"].data} == {f"#{finished[0]}", f"#{finished[1]}"}


def test_compare_needs_two_runs(app, finished):
    with app.server.test_request_context("/"):
        answer = training_compare.compare(f"{finished[0]},77")
        alone = training_compare.compare(f"{finished[0]}")
    assert "Not found, left out: #77. Choose two or more runs" in _json(answer["note"]), "the unknown run is named"
    assert answer["settings"] == answer["pictures"] == ""
    assert "Not found" not in _json(alone["note"]) and "Choose two or more runs" in _json(alone["note"])
    assert answer["panels"] is True and alone["panels"] is True, "no empty chart and settings under the message"
    assert '"href": "/training"' in _json(alone["note"]), "the message links to the run history"


NUMBERS = ("epochs", "batch_size", "learning_rate", "hidden_size", "val_split", "seed")


def _field_ids(kind: str, names) -> list[dict]:
    return [{"type": kind, "field": name} for name in names]


def test_the_fields_of_the_chosen_data_set_show_and_the_cnn_is_for_digits_only(app):
    with app.server.test_request_context("/"):
        digits = training_form.show_fields_for_dataset("digits", "cnn")
        spirals = training_form.show_fields_for_dataset("spirals", "cnn")
        table = training_form.show_fields_for_dataset("table", "mlp")
    assert digits == {"spirals_hidden": True, "table_hidden": True, "model": "cnn"}
    assert spirals == {"spirals_hidden": False, "table_hidden": True, "model": "mlp"}
    assert table == {"spirals_hidden": True, "table_hidden": False, "model": "mlp"}


def test_numbers_are_checked_as_the_user_types_with_the_message_under_each(app):
    """Each field answers for itself: two fields typed one after the other never overwrite each other's mark."""
    names = (*NUMBERS, "spiral_points", "spiral_noise", "max_rows")
    defaults = {name: getattr(TrainConfig(), name) for name in names}
    ids = dict(zip(names, _field_ids("train-field", names), strict=True))
    answers = {name: training_form.check_number(value, ids[name]) for name, value in defaults.items()}
    assert all(answer == {"invalid": False, "message": ""} for answer in answers.values()), "the defaults are in range"
    assert training_form.check_number(0, ids["epochs"]) == {"invalid": True, "message": "Must be from 1 to 1,000."}
    assert training_form.check_number(5, ids["max_rows"]) == {"invalid": True,
                                                              "message": "Must be from 10 to 2,000,000."}
    assert training_form.check_number(None, ids["learning_rate"])["message"] == "Enter a number from 1e-06 to 10."
    assert training_form.check_number(1, {"type": "train-field", "field": "nope"}) == {"invalid": False, "message": ""}


def _press_start(epochs: int, dataset: str = "digits", model: str = "mlp"):
    """Call Start as the page does, with the form's default values, ``epochs``, ``dataset`` and ``model``."""
    defaults = TrainConfig()
    numbers = [epochs, *[getattr(defaults, name) for name in NUMBERS[1:]]]
    choice_names = ("dataset", "model", "optimizer", "spiral_classes")
    choices = [dataset, model, "adam", "2"]
    feedback_ids = _field_ids("train-choice-feedback", ("model", "database"))
    return training_form.start_run(1, numbers, _field_ids("train-field", NUMBERS), choices,
                                   _field_ids("train-choice", choice_names), feedback_ids, 0)


def test_start_refuses_bad_values_then_queues_and_launches_a_run_that_needs_no_page(app, settings):

    store = get_workbench(app.server).runs
    with app.server.test_request_context("/"):
        refused = _press_start(0)
        assert "Nothing started" in _json(refused["message"]) and refused["refresh"] is no_update
        misfit = _press_start(3, dataset="spirals", model="cnn")
        assert misfit["feedback"] == ["The CNN needs images: choose the MLP for spirals and tables.", ""]
        assert store.list_runs() == []
        started = _press_start(3)
    assert "Run #1 queued" in _json(started["message"]) and started["refresh"] == 1
    assert started["feedback"] == ["", ""]
    assert store.get(1).config["epochs"] == 3
    # Nothing else is called, as when the page is reloaded or closed right after Start: the server launched it.
    wait_until(lambda: not store.get(1).is_active)
    assert store.get(1).status == "succeeded", store.get(1)
    assert store.artifacts(1)


@pytest.mark.parametrize("refusal,said,status", [
    ("LaunchError", "Run #1 could not be started: the job process could not be started", "failed"),
    # Celery's broker stopped: the run waits in the store, and a worker's reaper sends its task once the queue
    # answers (dash_app/runs/control.py LostTasks); nothing is failed for a moment's outage.
    ("QueueDown", "Run #1 queued, but the job queue does not answer right now", "queued"),
])
def test_a_run_that_cannot_be_handed_over_says_why_and_ends_failed_unless_the_queue_is_only_down(
        app, settings, monkeypatch, refusal, said, status):
    from dash_app.runs import launch

    def refuse(_run_id, _attempt=1):
        raise getattr(launch, refusal)("the job process could not be started")

    monkeypatch.setattr(get_workbench(app.server).launcher, "launch", refuse)
    with app.server.test_request_context("/"):
        answer = _press_start(2)
    assert said in _json(answer["message"]) and "Error" not in _json(answer["message"])
    run = get_workbench(app.server).runs.get(1)
    assert run.status == status
    if status == "failed":
        assert "the job process could not be started" in run.error, "never left queued"


def test_cancel_needs_a_run_id_and_answers_for_any_run(app, finished):
    with app.server.test_request_context("/"):
        for request in (None, {}, {"run": "1"}, {"run": True}, ["run", 1]):
            with pytest.raises(PreventUpdate):
                training_live.cancel(request, 0)
        missing = training_live.cancel({"run": 999, "at": 1}, 0)
        ended = training_live.cancel({"run": finished[0], "at": 2}, 0)
        queued = training_live.cancel({"run": finished[2], "at": 3}, 4)
    assert "Run #999 does not exist." in _json(missing["message"]) and missing["refresh"] is no_update
    assert "had already ended: succeeded" in _json(ended["message"])
    assert f"Run #{finished[2]} cancelled." in _json(queued["message"]) and queued["refresh"] == 5


def test_a_cancelled_run_offers_resume_and_resuming_it_queues_its_next_attempt(app, finished, monkeypatch):
    launched = []
    monkeypatch.setattr(get_workbench(app.server).launcher, "launch",
                        lambda run_id, attempt=1: launched.append((run_id, attempt)))
    queued = finished[2]
    button = [{"type": "train-run-resume", "run": queued}]
    with app.server.test_request_context("/"):
        training_run.cancel_from_run_page({"run": queued, "at": 1})
        cancelled = training_run.show_run(0, str(queued))
        succeeded = training_run.show_run(0, str(finished[0]))
        with pytest.raises(PreventUpdate):
            training_run.resume_from_run_page([None], button)
        answer = training_run.resume_from_run_page([1], button)
        again = training_run.show_run(1, str(queued))
        twice = training_run.resume_from_run_page([1], [{"type": "train-run-resume", "run": finished[0]}])
    assert "train-run-resume" in _json(cancelled["heading"]) and cancelled["poll_off"]
    assert "train-run-resume" not in _json(succeeded["heading"]), "only a cancelled or interrupted run resumes"
    assert f"Run #{queued} resumed: attempt 2" in _json(answer["message"]) and answer["poll_off"] is False
    assert launched == [(queued, 2)]
    assert "Queued" in _json(again["heading"]) and "train-run-cancel" in _json(again["heading"])
    assert "2 (resumed)" in _json(again["details"]) and not again["poll_off"]
    assert f"Run #{finished[0]} is succeeded" in _json(twice["message"]) and launched == [(queued, 2)]
    assert set(answer) == set(twice) == {"message", "poll_off"}, "exactly the callback's outputs"


def test_the_page_interrupts_a_run_whose_job_stopped_beating(app, finished):
    store = get_workbench(app.server).runs
    run_id = finished[2]
    assert store.claim_next(1, "celery") is None and store.claim_next(1, "diskcache") == (run_id, 1)
    with store.engine.begin() as connection:  # its worker went silent long ago
        from dash_app.runs import schema

        connection.execute(schema.runs.update().where(schema.runs.c.id == run_id).values(heartbeat_at=1.0))
    with app.server.test_request_context("/"):
        page = training_run.show_run(0, str(run_id))
        live = training_live.refresh(0, 0, None)
    assert "Interrupted" in _json(page["heading"]) and "no sign of life" in _json(page["heading"])
    assert "No run is queued or running" in _json(live["cards"])


@pytest.fixture
def app_without_store(tmp_path):
    """The app with its store on a PostgreSQL that does not answer (nothing listens on port 1)."""
    from dash_app import create_app
    from dash_app.settings import load_settings

    app = create_app(load_settings(data_dir=tmp_path / "data",
                                   store_url="postgresql+psycopg://nobody@127.0.0.1:1/store"))
    yield app
    get_workbench(app.server).dispose()


def test_a_store_that_does_not_answer_is_said_on_the_list_start_and_cancel(app_without_store):
    unavailable = "Service unavailable: the run store does not answer"
    with app_without_store.server.test_request_context("/"):
        answer = training_live.refresh(1, None, {"rows": [[1, "running"]]})
        assert unavailable in _json(answer["cards"]) and answer["rows"] is no_update
        assert answer["signature"] is None, "everything is sent again once the store answers"
        assert answer["interval"] == POLL_IDLE_MS
        with pytest.raises(PreventUpdate):
            training_live.update_progress(None, [{"run": 1}])
        started = _press_start(3)
        assert unavailable in _json(started["message"])
        cancelled = training_live.cancel({"run": 1}, 0)
        assert unavailable in _json(cancelled["message"]) and cancelled["refresh"] is no_update
        run_page = training_run.show_run(1, "1")
        assert unavailable in _json(run_page["heading"]) and run_page["poll_off"] is False, "it keeps trying"
        compared = training_compare.compare("1,2")
        assert unavailable in _json(compared["note"]) and compared["panels"] is True
        for answer in (started["message"], run_page["heading"], compared["note"]):
            assert "127.0.0.1" not in _json(answer) and "port" not in _json(answer), "no driver text on the page"
