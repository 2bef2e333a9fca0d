"""Artifacts of a finished run: valid PNGs of the fixed size, weights that load, the config as JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from dash_app.jobs import artifacts
from dash_app.jobs.config import TrainConfig
from dash_app.jobs.models import build_model
from dash_app.jobs.train import train


@pytest.fixture(scope="module")
def digits_result():
    return train(TrainConfig(dataset="digits", epochs=2, hidden_size=16, batch_size=128))


def _png_size(path) -> tuple[int, int]:
    with Image.open(path) as image:
        image.verify()  # a truncated or corrupt PNG raises here
    with Image.open(path) as image:
        assert image.format == "PNG"
        return image.size


def test_digits_run_writes_curves_confusion_predictions_weights_and_config(digits_result, tmp_path):
    names = artifacts.write_artifacts(digits_result, tmp_path)
    assert names == ["curves.png", "confusion_matrix.png", "predictions.png", "weights.pt", "config.json"]
    for name in names[:3]:
        assert _png_size(tmp_path / name) == artifacts.FIGURE_SIZE_PX, name
    model = build_model(digits_result.config, 64, 10)
    model.load_state_dict(torch.load(tmp_path / "weights.pt", weights_only=True))
    assert json.loads((tmp_path / "config.json").read_text()) == digits_result.config.to_json()


def test_spirals_run_draws_its_decision_boundary(tmp_path):
    result = train(TrainConfig(dataset="spirals", epochs=5, spiral_points=50))
    names = artifacts.write_artifacts(result, tmp_path)
    assert "decision_boundary.png" in names and "predictions.png" not in names
    assert _png_size(tmp_path / "decision_boundary.png") == artifacts.FIGURE_SIZE_PX


def test_wrong_predictions_are_marked_in_red(digits_result, tmp_path):
    artifacts.save_png(artifacts.predictions_figure(digits_result), tmp_path / "grid.png")
    pixels = np.asarray(Image.open(tmp_path / "grid.png").convert("RGB")).reshape(-1, 3).astype(int)
    red = np.array([0xDC, 0x26, 0x26])
    wrong = int((digits_result.val_predictions != digits_result.data.y_val).sum())
    assert wrong > 0, "two epochs of a tiny model leave some digits wrong"
    assert (np.abs(pixels - red).sum(axis=1) < 30).sum() > 100, "red frames around the wrong ones"


def test_confusion_matrix_counts_pairs():
    matrix = artifacts.confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 2]), 3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
