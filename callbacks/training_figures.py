"""Plotly figures of training curves, readable in light and dark mode without a server round trip.

Backgrounds are transparent and text and grid use mid greys, so one figure reads on either page
colour. ``uirevision`` keeps the user's zoom and hidden traces while the figure updates every second.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

TEXT_GREY = "#8a93a6"
GRID_GREY = "rgba(138, 147, 166, 0.22)"
PALETTE = ("#6366f1", "#f97316", "#10b981", "#e11d48", "#0ea5e9", "#a855f7", "#eab308", "#14b8a6")


def curves_figure(histories: dict[str, list[dict]], *, uirevision: str, accuracy: bool = True,
                  rmse: bool = False, ended: bool = False) -> go.Figure:
    """Loss (left), then accuracy and/or RMSE per epoch; one colour per run, dashed for training.

    A classifier has accuracy, a regression RMSE; runs of both kinds compared side by side get both panels.
    With no epoch yet, a blank chart says when curves come, or (``ended``: the runs will write no more) that
    they never will.
    """
    if not any(histories.values()):
        if not ended:
            return empty_figure("Curves appear after the first epoch")
        return empty_figure("This run ended before its first epoch" if len(histories) == 1 else
                            "None of these runs finished an epoch")
    right = [title for title, shown in (("Accuracy", accuracy), ("Validation RMSE", rmse)) if shown]
    figure = make_subplots(rows=1, cols=1 + len(right), subplot_titles=("Loss", *right),
                           horizontal_spacing=0.13 if len(right) < 2 else 0.07)  # room for "100%" on a phone
    several = len(histories) > 1
    for index, (name, history) in enumerate(histories.items()):
        colour = PALETTE[index % len(PALETTE)]
        epochs = [row["epoch"] for row in history]
        for key, column, dash, label in _series(accuracy, rmse):
            values = [row.get(key) for row in history]
            if not any(value is not None for value in values):
                continue
            figure.add_trace(go.Scatter(
                x=epochs, y=values, mode="lines+markers", name=f"{name} {label}" if several else label,
                legendgroup=name, line={"color": colour if several else _single_colour(key), "dash": dash, "width": 2},
                marker={"size": 5}, hovertemplate="epoch %{x}<br>%{y:.4f}<extra>%{fullData.name}</extra>",
            ), row=1, col=column)
    figure.update_layout(
        uirevision=uirevision, margin={"l": 48, "r": 16, "t": 36, "b": 40},
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", font={"color": TEXT_GREY, "family": "Inter Variable, system-ui, sans-serif"},
        # Below the plots, at the bottom of the figure: plotly widens the bottom margin to fit it, so on a phone,
        # where the entries take more rows, it never covers the axes.
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "xanchor": "left", "x": 0},
        hovermode="x unified",
    )
    last_epoch = max((row["epoch"] for history in histories.values() for row in history), default=1)
    # Up to 8 epochs: one tick each. Beyond, plotly picks whole-number steps that fit the width, so a
    # phone's narrow plots do not crowd their labels.
    ticks = {"tick0": 1, "dtick": 1} if last_epoch <= 8 else {"tickmode": "auto", "nticks": 8}
    figure.update_xaxes(title_text="epoch", gridcolor=GRID_GREY, zeroline=False,
                        range=[0.8, max(last_epoch, 2) + 0.2], **ticks)
    figure.update_yaxes(gridcolor=GRID_GREY, zeroline=False)
    if accuracy:
        figure.update_yaxes(tickformat=".0%", row=1, col=2)
    return figure


def _series(accuracy: bool, rmse: bool) -> list[tuple[str, int, str, str]]:
    """(metric, panel, line dash, label) of each curve drawn."""
    series = [("train_loss", 1, "dash", "train loss"), ("val_loss", 1, "solid", "val. loss")]
    if accuracy:
        series += [("train_accuracy", 2, "dash", "train acc."), ("val_accuracy", 2, "solid", "val. acc.")]
    if rmse:
        series.append(("val_rmse", 3 if accuracy else 2, "solid", "val. RMSE"))
    return series


def _single_colour(key: str) -> str:
    return PALETTE[0] if key.startswith("train") else PALETTE[1]


def empty_figure(message: str) -> go.Figure:
    """A blank chart that says why it is blank."""
    figure = go.Figure()
    figure.update_layout(
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                      "font": {"size": 14, "color": TEXT_GREY}}],
    )
    return figure
