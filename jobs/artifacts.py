"""The pictures and files a finished run leaves behind, drawn with matplotlib's Agg backend (no display).

Every image has a fixed pixel size (``FIGURE_SIZE_PX`` at ``DPI``) so pages can lay them out before
they load and so runs compare side by side. Names are fixed too: the web layer serves only names
the run store lists, never a path taken from a request.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: a job process has no display

import numpy as np  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from dash_app.jobs.train import TrainResult  # noqa: E402

DPI = 100
FIGURE_SIZE_PX = (800, 600)
CURVES = "curves.png"
CONFUSION = "confusion_matrix.png"
PREDICTIONS = "predictions.png"
BOUNDARY = "decision_boundary.png"
SCATTER = "predicted_vs_actual.png"
WEIGHTS = "weights.pt"
CONFIG = "config.json"
GRID_SIDE = 6  # digits shown per row and column of the prediction grid
WRONG_COLOUR = "#dc2626"
RIGHT_COLOUR = "#16a34a"
CLASS_COLOURS = ("#e11d48", "#2563eb", "#16a34a")  # one per spiral arm, regions drawn in the same hue


def write_artifacts(result: TrainResult, folder: Path) -> list[str]:
    """Write every artifact that fits the run into ``folder``; return their names in display order."""
    folder.mkdir(parents=True, exist_ok=True)
    drawings = [(CURVES, curves_figure)]
    if result.config.is_classifier:
        drawings.append((CONFUSION, confusion_figure))
    else:
        drawings.append((SCATTER, scatter_figure))
    if result.data.image_shape is not None:
        drawings.append((PREDICTIONS, predictions_figure))
    if result.config.dataset == "spirals":
        drawings.append((BOUNDARY, boundary_figure))
    names = []
    for name, draw in drawings:
        save_png(draw(result), folder / name)
        names.append(name)
    import torch  # the job process has it loaded already

    torch.save(result.state_dict, folder / WEIGHTS)
    (folder / CONFIG).write_text(json.dumps(result.config.to_json(), indent=2))
    return [*names, WEIGHTS, CONFIG]


def save_png(figure: Figure, path: Path) -> None:
    """Save at the fixed size and free the figure (pyplot keeps every open one otherwise)."""
    figure.savefig(path, format="png", dpi=DPI)
    plt.close(figure)


def _figure(columns: int = 1) -> tuple[Figure, list]:
    width, height = FIGURE_SIZE_PX
    figure, axes = plt.subplots(1, columns, figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
    return figure, list(np.atleast_1d(axes))


def curves_figure(result: TrainResult) -> Figure:
    """Training and validation loss, and accuracy (or RMSE), per epoch."""
    figure, (loss_axes, metric_axes) = _figure(2)
    epochs = [row["epoch"] for row in result.history]
    for key, label in (("train_loss", "train"), ("val_loss", "validation")):
        loss_axes.plot(epochs, [row[key] for row in result.history], marker=".", label=label)
    loss_axes.set(title="Loss", xlabel="epoch")
    keys = (("train_accuracy", "train"), ("val_accuracy", "validation")) if result.config.is_classifier \
        else (("val_rmse", "validation RMSE"),)
    for key, label in keys:
        metric_axes.plot(epochs, [row[key] for row in result.history], marker=".", label=label)
    metric_axes.set(title="Accuracy" if result.config.is_classifier else "RMSE", xlabel="epoch")
    for axes in (loss_axes, metric_axes):
        axes.grid(alpha=0.3)
        axes.legend()
    return figure


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """Counts of (true class, predicted class)."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (truth.astype(int), predicted.astype(int)), 1)
    return matrix


def confusion_figure(result: TrainResult) -> Figure:
    """Validation confusion matrix with counts in the cells."""
    names = result.data.class_names
    matrix = confusion_matrix(result.data.y_val, result.val_predictions, len(names))
    figure, (axes,) = _figure()
    image = axes.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axes, shrink=0.8)
    ticks = range(len(names))
    axes.set(xticks=ticks, yticks=ticks, xlabel="predicted", ylabel="true", title="Confusion matrix (validation)")
    long_names = len(names) > 10 or max(len(name) for name in names) > 4
    axes.set_xticklabels(names, rotation=40 if long_names else 0, ha="right" if long_names else "center")
    axes.set_yticklabels(names)
    if len(names) <= 20:
        threshold = matrix.max() / 2 if matrix.size else 0
        for (row, column), count in np.ndenumerate(matrix):
            axes.text(column, row, str(count), ha="center", va="center", fontsize=9,
                      color="white" if count > threshold else "black")
    return figure


def predictions_figure(result: TrainResult) -> Figure:
    """A grid of validation images with their predicted label; wrong ones first, framed and titled in red.

    One axes holds every tile (an image placed by ``extent``, a frame and a label): 36 separate axes
    under a constrained layout took most of a run's artifact time.
    """
    data = result.data
    wrong = np.flatnonzero(result.val_predictions != data.y_val)
    right = np.flatnonzero(result.val_predictions == data.y_val)
    shown = np.concatenate([wrong, right])[: GRID_SIDE * GRID_SIDE]
    figure, (axes,) = _figure()
    figure.suptitle(f"Validation predictions: {len(wrong)} wrong of {len(data.y_val)} (wrong first, in red)")
    cell_w, cell_h = 1.0, 1.3  # a unit tile, with room above it for its label
    for position, index in enumerate(shown):
        row, column = divmod(position, GRID_SIDE)
        left, bottom = column * cell_w + 0.1, (GRID_SIDE - 1 - row) * cell_h + 0.05
        is_wrong = result.val_predictions[index] != data.y_val[index]
        colour = WRONG_COLOUR if is_wrong else RIGHT_COLOUR
        axes.imshow(data.x_val[index].reshape(data.image_shape), cmap="gray_r", vmin=0, vmax=1,
                    extent=(left, left + 0.8, bottom, bottom + 0.8), interpolation="nearest")
        axes.add_patch(Rectangle((left, bottom), 0.8, 0.8, fill=False, edgecolor=colour,
                                 linewidth=3 if is_wrong else 1))
        label = data.class_names[result.val_predictions[index]]
        title = f"{label} (true {data.class_names[data.y_val[index]]})" if is_wrong else label
        axes.text(left + 0.4, bottom + 0.86, title, color=colour, fontsize=8, ha="center", va="bottom")
    axes.set_xlim(0, GRID_SIDE * cell_w)
    axes.set_ylim(0, GRID_SIDE * cell_h)
    axes.set_aspect("equal")
    axes.axis("off")
    return figure


def boundary_figure(result: TrainResult, resolution: int = 200) -> Figure:
    """The model's predicted class over the plane, with the training points on top."""
    data = result.data
    points = np.concatenate([data.x_train, data.x_val])
    labels = np.concatenate([data.y_train, data.y_val])
    low, high = points.min(axis=0) - 0.15, points.max(axis=0) + 0.15
    xs, ys = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    plane = result.predict(np.column_stack([xs.ravel(), ys.ravel()]).astype(np.float32)).reshape(xs.shape)
    figure, (axes,) = _figure()
    classes = len(data.class_names)
    colours = ListedColormap(CLASS_COLOURS[:classes])
    axes.contourf(xs, ys, plane, levels=np.arange(classes + 1) - 0.5, cmap=colours, alpha=0.25)
    axes.scatter(points[:, 0], points[:, 1], c=labels, cmap=colours, vmin=-0.5, vmax=classes - 0.5, s=8,
                 edgecolors="none")
    axes.set(title="Decision boundary", xlabel="x", ylabel="y", aspect="equal")
    return figure


def scatter_figure(result: TrainResult) -> Figure:
    """Predicted against actual values on the validation rows, with the ideal diagonal."""
    figure, (axes,) = _figure()
    truth, predicted = result.data.y_val, result.val_predictions
    axes.scatter(truth, predicted, s=8, alpha=0.6)
    low, high = float(min(truth.min(), predicted.min())), float(max(truth.max(), predicted.max()))
    axes.plot([low, high], [low, high], color="grey", linestyle="--", linewidth=1)
    axes.set(title="Predicted vs actual (validation)", xlabel="actual", ylabel="predicted")
    axes.grid(alpha=0.3)
    return figure
