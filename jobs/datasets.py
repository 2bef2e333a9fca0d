"""Training data as numpy arrays: shipped digits, generated spirals, or a table read in batches.

Nothing is downloaded: digits ship with scikit-learn, spirals are generated from the seed, and a
table is read through SQLAlchemy from a database the settings configure (read-only engine).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dash_app.jobs.config import TrainConfig

TABLE_BATCH_ROWS = 5_000
MAX_CLASSES = 200


class DataError(ValueError):
    """The data cannot be trained on (one class, no numeric columns, no rows); the message says why."""


class DataCancelled(RuntimeError):
    """Reading stopped because the run was asked to stop."""


@dataclass(frozen=True)
class Dataset:
    """Features and targets split for training, plus what the artifacts need to label them."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    class_names: tuple[str, ...]  # empty for a regression
    image_shape: tuple[int, int] | None = None  # (8, 8) for digits

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


def load_dataset(
    config: TrainConfig,
    databases: Mapping[str, str] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Dataset:
    """Return the split data set the config names."""
    if config.dataset == "digits":
        x, y, names = digits()
        return split(x, y, names, config, image_shape=(8, 8))
    if config.dataset == "spirals":
        x, y = spirals(config.spiral_classes, config.spiral_points, config.spiral_noise, config.seed)
        return split(x, y, tuple(f"arm {i}" for i in range(config.spiral_classes)), config)
    url = (databases or {}).get(config.database)
    if url is None:
        msg = f"The database {config.database!r} is not configured."
        raise DataError(msg)
    from dash_app.jobs.tables import read_table  # SQLAlchemy only for tables

    x, y, names = read_table(url, config, should_stop)
    return split(x, y, names, config, standardise=True)


def digits() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """The 1,797 8x8 digits scikit-learn ships, pixels scaled to 0..1.

    Read from scikit-learn's own data file (what ``load_digits`` reads), found without importing
    scikit-learn: importing ``sklearn.datasets`` costs about a second in every fresh job process.
    """
    spec = importlib.util.find_spec("sklearn")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / "digits.csv.gz"
    table = np.loadtxt(path, delimiter=",", dtype=np.float32)
    x = table[:, :-1] / 16.0
    return x.astype(np.float32), table[:, -1].astype(np.int64), tuple(str(digit) for digit in range(10))


def spirals(classes: int, points_per_class: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved 2-D spiral arms, one per class, with Gaussian noise; the same seed gives the same points."""
    rng = np.random.default_rng(seed)
    radius = np.linspace(0.05, 1.0, points_per_class)
    xs, ys = [], []
    for label in range(classes):
        angle = radius * 3.5 * np.pi + label * 2 * np.pi / classes
        angle = angle + rng.normal(0.0, noise, points_per_class)
        xs.append(np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]))
        ys.append(np.full(points_per_class, label))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int64)


def split(
    x: np.ndarray,
    y: np.ndarray,
    class_names: tuple[str, ...],
    config: TrainConfig,
    *,
    image_shape: tuple[int, int] | None = None,
    standardise: bool = False,
) -> Dataset:
    """Shuffle with the seed and hold out ``val_split`` for validation; standardise on the training part only."""
    if len(x) < 4:
        msg = f"Only {len(x)} usable rows: at least 4 are needed to train and validate."
        raise DataError(msg)
    order = np.random.default_rng(config.seed).permutation(len(x))
    n_val = min(max(1, round(len(x) * config.val_split)), len(x) - 1)
    val, train = order[:n_val], order[n_val:]
    x_train, x_val = x[train], x[val]
    if standardise:
        mean = x_train.mean(axis=0)
        std = x_train.std(axis=0)
        std[std == 0] = 1.0
        x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
    return Dataset(
        x_train=np.ascontiguousarray(x_train, dtype=np.float32), y_train=y[train],
        x_val=np.ascontiguousarray(x_val, dtype=np.float32), y_val=y[val],
        class_names=class_names, image_shape=image_shape,
    )
