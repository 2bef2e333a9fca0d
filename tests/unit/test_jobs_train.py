"""jobs.train on tiny data: it learns, reports with growing steps, stops when asked, and repeats itself."""

from __future__ import annotations

import math

import pytest
import torch

from dash_app.jobs.config import TrainConfig
from dash_app.jobs.train import Progress, TrainingDiverged, pick_device, train

TINY_DIGITS = TrainConfig(dataset="digits", epochs=4, batch_size=128, hidden_size=32, seed=3)
TINY_SPIRALS = TrainConfig(dataset="spirals", epochs=30, spiral_points=60, batch_size=32, learning_rate=0.01)


def test_loss_decreases_and_accuracy_beats_chance():
    result = train(TINY_DIGITS, report_every_s=0)
    losses = [row["val_loss"] for row in result.history]
    assert len(losses) == 4
    assert losses[-1] < losses[0] * 0.7
    assert result.history[-1]["val_accuracy"] > 0.5  # chance is 0.1
    assert not result.stopped


def test_report_gets_growing_steps_every_epoch_once_and_a_final_report():
    reports: list[Progress] = []
    result = train(TINY_DIGITS, report=reports.append, report_every_s=0)
    steps = [progress.step for progress in reports]
    assert steps == sorted(steps) and steps[0] == 0
    assert reports[-1].done and reports[-1].step == reports[-1].total_steps == 4 * math.ceil(1438 / 128)
    completed = [row["epoch"] for progress in reports for row in progress.completed]
    assert completed == [1, 2, 3, 4], "each finished epoch reaches the reporter exactly once"
    assert reports[-1].eta == 0.0 and all(p.eta is None or p.eta >= 0 for p in reports)
    assert reports[-1].metrics == result.history[-1]


def test_reports_are_time_gated_not_per_step():
    reports: list[Progress] = []
    train(TINY_DIGITS, report=reports.append, report_every_s=60)
    assert len(reports) == 2, "one at the start and one at the end when the interval is never reached"
    assert [row["epoch"] for row in reports[-1].completed] == [1, 2, 3, 4]


def test_should_stop_ends_training_early_with_what_was_logged():
    calls = 0

    def stop_after_a_few() -> bool:
        nonlocal calls
        calls += 1
        return calls > 3

    result = train(TrainConfig(dataset="digits", epochs=200, batch_size=16), should_stop=stop_after_a_few,
                   report_every_s=0)
    assert result.stopped
    assert len(result.history) < 200


def test_same_seed_same_weights_on_the_cpu():
    first, second = train(TINY_SPIRALS), train(TINY_SPIRALS)
    for name, tensor in first.state_dict.items():
        assert torch.equal(tensor, second.state_dict[name]), name
    other = train(TrainConfig(**{**TINY_SPIRALS.to_json(), "seed": 99, "features": ()}))
    assert not all(torch.equal(t, other.state_dict[n]) for n, t in first.state_dict.items())


def test_device_is_recorded_from_the_one_choice():
    assert train(TINY_SPIRALS).device == pick_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_cnn_trains_on_digits():
    result = train(TrainConfig(dataset="digits", model="cnn", epochs=2, hidden_size=16, batch_size=64))
    assert result.history[-1]["val_accuracy"] > 0.5


def test_a_diverging_loss_fails_with_a_reason():
    config = TrainConfig(dataset="spirals", optimizer="sgd", learning_rate=10.0, epochs=3, hidden_size=1024,
                         batch_size=1)
    with pytest.raises(TrainingDiverged, match="Lower the learning rate"):
        train(config, report_every_s=0)


class _Interrupted(Exception):
    """Raised by a reporter to stop training as a killed job would: without its end being written."""


def _interrupt_after(epochs: int):
    """A reporter that raises once it has been told of ``epochs`` finished epochs (after their checkpoint)."""
    told: list[int] = []

    def report(progress: Progress) -> None:
        told.extend(row["epoch"] for row in progress.completed)
        if len(told) >= epochs:
            raise _Interrupted

    return report


@pytest.mark.parametrize("config", [TINY_SPIRALS, TrainConfig(dataset="digits", model="cnn", epochs=4, hidden_size=16,
                                                              batch_size=128, optimizer="sgd")])
def test_a_resumed_run_ends_with_the_weights_of_a_run_never_stopped(tmp_path, config):
    whole = train(config, folder=tmp_path / "whole")
    with pytest.raises(_Interrupted):
        train(config, folder=tmp_path / "stopped", report=_interrupt_after(2), report_every_s=0)
    reports: list[Progress] = []
    resumed = train(config, folder=tmp_path / "stopped", resume=True, report=reports.append, report_every_s=0)
    assert reports[0].epoch == 3 and reports[0].step == 2 * reports[0].total_steps // config.epochs, \
        "it continues after the last finished epoch, not from the start"
    assert [row["epoch"] for row in reports[0].completed] == [1, 2], "the checkpoint's epochs are reported again"
    assert resumed.history == whole.history
    assert resumed.state_dict.keys() == whole.state_dict.keys()
    for name, tensor in whole.state_dict.items():
        assert torch.equal(tensor, resumed.state_dict[name]), name


def test_a_fresh_run_ignores_and_replaces_an_old_checkpoint_in_its_folder(tmp_path):
    from dash_app.jobs.train import CHECKPOINT

    other = TrainConfig(**{**TINY_SPIRALS.to_json(), "seed": 5, "epochs": 2, "features": ()})
    train(other, folder=tmp_path)
    reports: list[Progress] = []
    train(TINY_SPIRALS, folder=tmp_path, resume=True, report=reports.append, report_every_s=60)
    assert reports[0].epoch == 1, "a checkpoint of other settings is not resumed from"
    state = torch.load(tmp_path / CHECKPOINT, weights_only=True)
    assert state["epoch"] == TINY_SPIRALS.epochs and len(state["history"]) == TINY_SPIRALS.epochs
    assert set(state) >= {"model", "optimizer", "torch_rng", "generator_rng", "history", "epoch"}
