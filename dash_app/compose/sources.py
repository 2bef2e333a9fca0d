"""Pictures from the app itself for Compose: a finished Training run's artifact, a chart of a Data table.

A :class:`Sources` acts for one user (the app's workbench binds it to the user of the request,
dash_app/workbench.py): it offers only the runs that user may view (dash_app/identity.py ``may_view_run``)
and the databases and tables the Data page browses, and it draws a layer's source (dash_app/compose/scene.py
``RunArtifactSource`` / ``DataChartSource``) as a picture. The picture is then stored like an upload and
placed as an image layer, so the preview and the export draw it like any image (dash_app/compose/render.py).

A source that no longer exists (a run deleted or no longer visible, its artifact gone, a table dropped, a
column renamed) raises :class:`SourceGone` with a message that says which; nothing is changed.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from dash_app.compose import chart
from dash_app.compose.scene import DataChartSource, RunArtifactSource, SceneError
from dash_app.data.charts import MAX_GROUPS, check_chart
from dash_app.data.limits import QueryTimeout
from dash_app.data.query import QueryError
from dash_app.data.service import DataError, DataService
from dash_app.identity import Identity, may_view_run
from dash_app.runs.executor import run_folder
from dash_app.runs.schema import SUCCEEDED
from dash_app.runs.store import Run, RunStore

MAX_ARTIFACT_PIXELS = 40_000_000  # a run's pictures are 800 x 600 (jobs/artifacts.py); anything far larger is not one
RUN_CHOICES = 200  # the newest finished runs offered


class SourceGone(SceneError):
    """A layer's source cannot be drawn any more; the message says what is gone."""


@dataclass(frozen=True)
class RunPictures:
    """A finished run the user may view, and the names of its pictures (PNG artifacts) in display order."""

    run: Run
    pictures: tuple[str, ...]


class Sources:
    """The runs and tables one user may draw from, and the drawing of a source."""

    def __init__(self, data: DataService, runs: RunStore, data_dir: Path, viewer: Identity, *, shared: bool) -> None:
        self.data, self.runs, self.data_dir, self.viewer, self.shared = data, runs, data_dir, viewer, shared

    # -- Training runs --------------------------------------------------------------------------------

    def _may_view(self, run: Run | None) -> bool:
        return run is not None and may_view_run(self.viewer, run.owner, shared=self.shared)

    def finished_runs(self) -> list[RunPictures]:
        """The newest succeeded runs the user may view that left pictures, newest first."""
        if self.viewer.is_nobody:
            return []
        everyone = self.shared or self.viewer.admin
        runs = self.runs.list_runs(limit=RUN_CHOICES, owner=None if everyone else self.viewer.id)
        found = []
        for run in runs:
            if run.status == SUCCEEDED and self._may_view(run):
                pictures = tuple(name for name in self.runs.artifacts(run.id) if name.endswith(".png"))
                if pictures:
                    found.append(RunPictures(run, pictures))
        return found

    def run_pictures(self, run_id: int) -> tuple[str, ...]:
        """The pictures of one run the user may view (none for any other run)."""
        run = self.runs.get(run_id)
        if not self._may_view(run) or run.status != SUCCEEDED:
            return ()
        return tuple(name for name in self.runs.artifacts(run_id) if name.endswith(".png"))

    def artifact(self, source: RunArtifactSource) -> Image.Image:
        """The run's picture as it is now on disk; SourceGone when the run or the picture is no longer there."""
        run = self.runs.get(source.run_id)
        if not self._may_view(run):  # another user's run is refused as if it did not exist
            msg = f"run #{source.run_id} no longer exists (or is not yours to view)"
            raise SourceGone(msg)
        if run.status != SUCCEEDED:
            msg = f"run #{source.run_id} has not finished successfully ({run.status})"
            raise SourceGone(msg)
        path = run_folder(self.data_dir, source.run_id) / source.name
        if not self.runs.has_artifact(source.run_id, source.name) or not path.is_file():
            msg = f"run #{source.run_id} has no {source.name} any more"
            raise SourceGone(msg)
        return _read_png(path, f"{source.name} of run #{source.run_id}")

    # -- Data tables ----------------------------------------------------------------------------------

    def databases(self) -> list[str]:
        """The databases the Data page browses (every configured one)."""
        return self.data.database_names

    def table_names(self, database: str) -> list[str]:
        """Tables and views of ``database``; DataError (or QueryError) when it cannot answer."""
        return self.data.table_names(self.data.check_database(database))

    def chart(self, source: DataChartSource, size: tuple[float, float]) -> Image.Image:
        """The source's chart drawn at ``size`` (canvas px, see chart.chart_size); SourceGone when it cannot be."""
        where = f"{source.database} › {source.table}"
        try:
            if source.table not in self.table_names(source.database):
                msg = f"the table {source.table!r} is no longer in the database {source.database!r}"
                raise SourceGone(msg)
            table, spec = self.data.view(source.database, source.table, {})  # the whole table, no filter
            request = check_chart(table, source.x, source.y, source.aggregate, source.bucket)
            series = self.data.chart(source.database, table, spec, request)
        except SourceGone:
            raise
        except (QueryError, DataError, QueryTimeout) as error:
            msg = f"the chart of {where} cannot be drawn: {str(error).rstrip('.')}"
            raise SourceGone(msg) from None
        if any(isinstance(value, str) for value in series.y):  # the min or max of a text or date column
            msg = f"the chart of {where} cannot be drawn: the {y_label(source)} is not a number"
            raise SourceGone(msg)
        note = f" (first {MAX_GROUPS:,} groups)" if series.truncated else ""
        return chart.draw_chart(series.x, series.y, title=chart_title(source) + note, x_label=x_label(source),
                                y_label=y_label(source), dated=series.x_is_date, size=size)


def y_label(source: DataChartSource) -> str:
    return "rows" if source.aggregate == "count" else f"{source.aggregate} of {source.y}"


def x_label(source: DataChartSource) -> str:
    return source.x if not source.bucket else f"{source.x} by {source.bucket}"


def chart_title(source: DataChartSource) -> str:
    """What the Data page titles the same chart (callbacks/data_chart.py ``figure_for``)."""
    return f"{y_label(source)} by {x_label(source)}"


def _read_png(path: Path, what: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=["PNG"]) as image:
                if image.width * image.height > MAX_ARTIFACT_PIXELS:
                    msg = f"the {what} is too large to place ({image.width} x {image.height} px)"
                    raise SourceGone(msg)
                return image.convert("RGBA")
    except SourceGone:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        msg = f"the {what} cannot be read as a PNG picture"
        raise SourceGone(msg) from None
