"""Data for the jobs: shipped digits, seeded spirals, and the split that holds out validation rows."""

from __future__ import annotations

import numpy as np
import pytest

from dash_app.jobs.config import TrainConfig
from dash_app.jobs.datasets import DataError, digits, load_dataset, spirals, split


def test_digits_are_the_shipped_1797_images_scaled_to_one():
    x, y, names = digits()
    assert x.shape == (1797, 64) and y.shape == (1797,)
    assert 0.0 <= x.min() and x.max() == 1.0
    assert names == tuple("0123456789")
    from sklearn.datasets import load_digits

    shipped = load_digits()
    assert np.array_equal(x * 16, shipped.data.astype(np.float32)) and np.array_equal(y, shipped.target)


def test_spirals_repeat_with_the_seed_and_have_one_arm_per_class():
    first, labels = spirals(3, 50, 0.1, seed=7)
    again, _ = spirals(3, 50, 0.1, seed=7)
    other, _ = spirals(3, 50, 0.1, seed=8)
    assert first.shape == (150, 2) and np.array_equal(first, again) and not np.array_equal(first, other)
    assert sorted(np.unique(labels)) == [0, 1, 2]


def test_split_holds_out_the_validation_share_without_overlap():
    data = load_dataset(TrainConfig(dataset="digits", val_split=0.25))
    assert len(data.x_val) == round(1797 * 0.25) and len(data.x_train) + len(data.x_val) == 1797
    rows = {row.tobytes() for row in data.x_train}
    assert sum(row.tobytes() in rows for row in data.x_val) < 10  # digits has a few duplicate images
    assert data.image_shape == (8, 8)


def test_standardising_uses_the_training_rows_only():
    x = np.arange(40, dtype=np.float32).reshape(20, 2)
    data = split(x, np.arange(20) % 2, ("a", "b"), TrainConfig(val_split=0.25), standardise=True)
    assert np.allclose(data.x_train.mean(axis=0), 0, atol=1e-6)
    assert np.allclose(data.x_train.std(axis=0), 1, atol=1e-5)


def test_too_few_rows_is_a_clear_error():
    with pytest.raises(DataError, match="at least 4"):
        split(np.zeros((3, 2), np.float32), np.zeros(3), ("a",), TrainConfig())


def test_an_unconfigured_database_is_refused():
    config = TrainConfig(dataset="table", database="nope", table="t", features=("a",), target="b")
    with pytest.raises(DataError, match="'nope' is not configured"):
        load_dataset(config, {"demo": "sqlite:///x"})
