"""Layers from the app itself: a Data chart drawn by the server, a Training run's picture, their refresh.

The chart drawing in Pillow's test style; the source's checks; and the page's one callback called as a plain
function against a small SQLite database and a run written into the store the way a job leaves it.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from dash import no_update
from PIL import Image, ImageDraw
from sqlalchemy import delete

from dash_app import create_app, ids
from dash_app.callbacks import compose, compose_sources
from dash_app.compose import chart, edit
from dash_app.compose.export import load_images
from dash_app.compose.render import render_scene
from dash_app.compose.scene import CHART_AGGREGATES, CHART_BUCKETS, SceneError, scene_from_dict, source_from_dict
from dash_app.compose.sources import SourceGone, Sources
from dash_app.data.charts import AGGREGATES, BUCKETS
from dash_app.identity import Identity
from dash_app.runs import schema
from dash_app.runs.executor import run_folder
from dash_app.runs.store import ProcessRef
from dash_app.settings import load_settings
from dash_app.workbench import get_workbench
from tests.unit.compose_support import assert_image_equal, assert_image_similar, mean_abs_difference

BAR = (0x4F, 0x46, 0xE5)
SALES = [("North", 120.0, "2025-01-03"), ("North", 80.0, "2025-02-11"), ("South", 50.0, "2025-02-20"),
         ("East", 10.5, "2025-03-01"), ("Région Île", 33.0, "2025-03-09")]


def bar_pixels(image: Image.Image) -> int:
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    return int((np.abs(pixels - np.array(BAR)).max(axis=2) < 8).sum())


def draw(size=(640, 480), xs=("North", "South", "East"), ys=(200, 50, 10.5), dated=False) -> Image.Image:
    return chart.draw_chart(list(xs), list(ys), title="sum of amount by region", x_label="region",
                            y_label="sum of amount", dated=dated, size=size)


# The drawing


def test_a_chart_is_drawn_at_the_size_asked_opaque_and_with_its_bars():
    image = draw((640, 480))
    assert image.size == (640, 480) and image.mode == "RGBA"
    assert image.getchannel("A").getextrema() == (255, 255)
    assert bar_pixels(image) > 0.05 * 640 * 480, "the bars are drawn in the Data page's colour"
    assert np.asarray(image.convert("L")).min() < 60, "the title and labels are drawn in dark ink"


def test_the_same_chart_is_drawn_the_same_twice():
    assert_image_equal(draw(), draw())


def test_a_larger_chart_is_the_same_picture_sharper():
    small, large = draw((640, 480)), draw((1280, 960))
    assert large.size == (1280, 960)
    assert_image_similar(large.resize(small.size, Image.Resampling.LANCZOS), small, 6)
    assert mean_abs_difference(small.resize(large.size, Image.Resampling.BICUBIC), large) > 0.5, \
        "drawn at twice the pixels, not an enlarged copy"


def test_dates_are_a_line_and_no_rows_says_so():
    line = draw(xs=[f"2025-{month:02d}-01" for month in range(1, 13)], ys=list(range(12)), dated=True)
    assert 0 < bar_pixels(line) < 0.05 * 640 * 480, "a thin line, not bars"
    empty = draw(xs=[], ys=[])
    assert bar_pixels(empty) == 0 and np.asarray(empty.convert("L")).min() < 200


@pytest.mark.parametrize(("shown", "drawn"), [((1152, 864), (1152, 864)), ((8000, 6000), (4096, 3072)),
                                              ((80, 60), (213, 160)), ((333.4, 250.2), (333, 250))])
def test_a_chart_is_drawn_within_its_limits_keeping_its_shape(shown, drawn):
    assert chart.chart_size(*shown) == drawn


def test_the_scene_knows_the_data_pages_aggregates_and_buckets():
    assert CHART_AGGREGATES == AGGREGATES and CHART_BUCKETS == BUCKETS


# The source, as the scene checks it


def layer_with(source) -> dict:
    return {"canvas": {"width": 400, "height": 300}, "background": {"kind": "solid", "color": "#ffffff"},
            "layers": [{"id": "abcdef12", "image_id": "a" * 32, "x": 200, "y": 150, "source": source}]}


def test_a_layer_remembers_its_source_and_compositions_without_one_still_open():
    chart_source = {"kind": "data_chart", "database": "demo", "table": "products", "x": "category",
                    "aggregate": "mean", "y": "unit_price", "bucket": None}
    assert scene_from_dict(layer_with(chart_source)).layers[0].source.model_dump() == chart_source
    artifact = {"kind": "run_artifact", "run_id": 7, "name": "confusion_matrix.png"}
    assert scene_from_dict(layer_with(artifact)).layers[0].source.model_dump() == artifact
    assert scene_from_dict(layer_with(None)).layers[0].source is None


@pytest.mark.parametrize(("source", "message"), [
    ({"kind": "run_artifact", "run_id": 3, "name": "weights.pt"}, "layers.0.source.name"),
    ({"kind": "run_artifact", "run_id": 3, "name": "../../secrets.png"}, "layers.0.source.name"),
    ({"kind": "run_artifact", "run_id": "3", "name": "curves.png"}, "layers.0.source.run_id"),
    ({"kind": "run_artifact", "run_id": 0, "name": "curves.png"}, "layers.0.source.run_id"),
    ({"kind": "data_chart", "database": "demo", "table": "t", "x": "c", "aggregate": "median"}, "aggregate"),
    ({"kind": "data_chart", "database": "demo", "table": "t", "x": "c", "aggregate": "sum"}, "the sum of which column"),
    ({"kind": "data_chart", "database": "demo", "table": "t", "x": "c", "y": "d"}, "a count of rows takes no column"),
    ({"kind": "data_chart", "database": "demo", "table": "", "x": "c"}, "layers.0.source.table"),
    ({"kind": "data_chart", "database": "demo", "table": "t", "x": "c", "sql": "drop"}, "sql: is not a known field"),
    ({"kind": "web_page", "url": "http://example.com"}, "layers.0.source"),
])
def test_a_bad_source_is_refused_naming_the_field(source, message):
    with pytest.raises(SceneError, match=message):
        scene_from_dict(layer_with(source))


def test_a_text_layer_has_no_source():
    scene = layer_with({"kind": "run_artifact", "run_id": 1, "name": "curves.png"})
    scene["layers"][0] = {"id": "abcdef12", "kind": "text", "x": 1, "y": 1, "text": {"content": "Hi"},
                          "source": scene["layers"][0]["source"]}
    with pytest.raises(SceneError, match="source: is not a known field"):
        scene_from_dict(scene)


def test_the_renderer_draws_a_sourced_layer_like_any_image():
    picture = Image.new("RGBA", (120, 90), (79, 70, 229, 255))
    with_source = scene_from_dict(layer_with({"kind": "run_artifact", "run_id": 1, "name": "curves.png"}))
    plain = scene_from_dict(layer_with(None))
    assert_image_equal(render_scene(with_source, {"a" * 32: picture}), render_scene(plain, {"a" * 32: picture}))


# The page: adding, refreshing, and sources that are gone


@pytest.fixture
def shop(tmp_path):
    path = tmp_path / "shop.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE sales (id INTEGER PRIMARY KEY, region TEXT, amount REAL, sold_on DATE)")
        connection.executemany("INSERT INTO sales (region, amount, sold_on) VALUES (?, ?, ?)", SALES)
    return path


@pytest.fixture
def app(tmp_path, shop):
    app = create_app(load_settings(data_dir=tmp_path / "data", databases={"shop": f"sqlite:///{shop}"}))
    with app.server.test_request_context("/"):
        yield app
    get_workbench(app.server).dispose()


def update(trigger, stored=None, past=None, chosen_layer=None, **inputs):
    return compose.update(trigger, stored, past, chosen_layer, None, None, None, **inputs)


CHART_FORM = {"chart_database": "shop", "chart_table": "sales", "chart_x": "region", "chart_aggregate": "sum",
              "chart_y": "amount", "chart_bucket": "none"}


def said(result: dict) -> str:
    """The message the page shows after an input (its text, as the alert shows it)."""
    return str(result["alerts"].children[1])


def add_chart(**form):
    return update(ids.COMPOSE_ADD_CHART, **(CHART_FORM | form))


def stored_picture(app, image_id: str) -> Image.Image:
    return load_images(get_workbench(app.server).settings.data_dir, {image_id})[image_id]


def test_a_chart_of_a_table_becomes_a_selected_layer_that_remembers_its_source(app):
    added = add_chart()
    assert added["alerts"] == [] and added["count"] == "1"
    layer = added["scene"]["layers"][0]
    assert layer["source"] == {"kind": "data_chart", "database": "shop", "table": "sales", "x": "region",
                               "aggregate": "sum", "y": "amount", "bucket": None}
    assert layer["name"] == "sum of amount by region" and layer["scale"] == 1.0
    assert added["selected"] == layer["id"]
    assert added["source_hidden"] is False
    assert added["source_text"] == "Chart of shop › sales: sum of amount by region"
    picture = stored_picture(app, layer["image_id"])
    assert picture.size == edit.chart_box(edit.new_scene()) == (1152, 864), "drawn at the size the layer shows it"
    assert bar_pixels(picture) > 0
    undone = update(ids.COMPOSE_UNDO, added["scene"], added["history"], added["selected"])
    assert undone["count"] == "0"


def test_a_date_bucket_and_a_count_need_no_y(app):
    added = add_chart(chart_x="sold_on", chart_aggregate="count", chart_y="amount", chart_bucket="month")
    assert added["scene"]["layers"][0]["source"]["y"] is None
    assert added["scene"]["layers"][0]["name"] == "rows by sold_on by month"


@pytest.mark.parametrize(("form", "message"), [
    ({"chart_table": None}, "choose a database, a table and a column"),
    ({"chart_database": "nowhere"}, "no database called 'nowhere'"),
    ({"chart_table": "refunds"}, "the table 'refunds' is no longer in the database 'shop'"),
    ({"chart_x": "colour"}, "colour"),
    ({"chart_y": "region", "chart_aggregate": "mean"}, "mean needs a numeric column"),
    ({"chart_y": "region", "chart_aggregate": "max"}, "the max of region is not a number"),
])
def test_a_chart_that_cannot_be_drawn_is_refused_with_a_message_and_nothing_changes(app, form, message):
    before = add_chart()
    refused = update(ids.COMPOSE_ADD_CHART, before["scene"], before["history"], before["selected"],
                     **(CHART_FORM | form))
    assert message.lower() in said(refused).lower(), said(refused)
    assert refused["scene"] == before["scene"] and refused["history"] == before["history"]


def test_refresh_draws_the_chart_again_from_new_rows_as_one_undo_step(app, shop):
    added = add_chart()
    old_id = added["scene"]["layers"][0]["image_id"]
    with sqlite3.connect(shop) as connection:
        connection.execute("INSERT INTO sales (region, amount, sold_on) VALUES ('West', 900, '2025-04-01')")
    refreshed = update(ids.COMPOSE_REFRESH, added["scene"], added["history"], added["selected"])
    layer = refreshed["scene"]["layers"][0]
    assert layer["image_id"] != old_id and layer["source"] == added["scene"]["layers"][0]["source"]
    assert {key: layer[key] for key in ("x", "y", "scale", "rotation")} == \
        {key: added["scene"]["layers"][0][key] for key in ("x", "y", "scale", "rotation")}
    assert "Refreshed “sum of amount by region”" in said(refreshed)
    assert mean_abs_difference(stored_picture(app, layer["image_id"]), stored_picture(app, old_id)) > 1, "new rows"
    assert len(refreshed["history"]["past"]) == len(added["history"]["past"]) + 1
    undone = update(ids.COMPOSE_UNDO, refreshed["scene"], refreshed["history"], refreshed["selected"])
    assert undone["scene"]["layers"][0]["image_id"] == old_id


def test_refresh_redraws_an_enlarged_chart_at_its_new_size(app):
    added = add_chart()
    layer_id = added["selected"]
    grown = update(ids.COMPOSE_SCALE, added["scene"], added["history"], layer_id, scale=200)
    assert grown["scene"]["layers"][0]["scale"] == 2.0
    refreshed = update(ids.COMPOSE_REFRESH, grown["scene"], grown["history"], layer_id)
    layer = refreshed["scene"]["layers"][0]
    assert layer["scale"] == 1.0 and stored_picture(app, layer["image_id"]).size == (2304, 1728)


def test_a_cropped_chart_keeps_its_share_of_the_picture_when_refreshed(app):
    added = add_chart()
    layer_id = added["selected"]
    cropped = update(ids.COMPOSE_CROP_W, added["scene"], added["history"], layer_id, crop_x=0, crop_y=0,
                     crop_w=576, crop_h=864)
    grown = update(ids.COMPOSE_SCALE, cropped["scene"], cropped["history"], layer_id, scale=200)
    refreshed = update(ids.COMPOSE_REFRESH, grown["scene"], grown["history"], layer_id)
    layer = refreshed["scene"]["layers"][0]
    assert layer["crop"] == {"x": 0, "y": 0, "width": 1152, "height": 1728} and layer["scale"] == 1.0
    assert (layer["x"], layer["y"]) == (grown["scene"]["layers"][0]["x"], grown["scene"]["layers"][0]["y"])


@pytest.mark.parametrize("change", ["DROP TABLE sales", "ALTER TABLE sales DROP COLUMN amount"])
def test_refreshing_from_a_dropped_table_or_column_says_so_and_changes_nothing(app, shop, change):
    added = add_chart()
    with sqlite3.connect(shop) as connection:
        connection.execute(change)
    refused = update(ids.COMPOSE_REFRESH, added["scene"], added["history"], added["selected"])
    message = said(refused)
    assert refused["alerts"].color == "danger"
    assert ("no longer in the database 'shop'" if "TABLE sales" in change and "DROP TABLE" in change
            else "amount") in message, message
    assert refused["scene"] == added["scene"] and refused["history"] == added["history"]


def test_refresh_asks_for_a_layer_made_from_the_app(app):
    scene = update(ids.COMPOSE_ADD_TEXT)
    refused = update(ids.COMPOSE_REFRESH, scene["scene"], scene["history"], scene["selected"])
    assert "nothing to refresh it from" in said(refused).lower()
    assert refused["source_hidden"] is True and scene["source_hidden"] is True


# A Training run's picture


def curves_picture() -> Image.Image:
    image = Image.new("RGB", (800, 600), "white")
    ImageDraw.Draw(image).line([(50, 550), (750, 80)], fill=(37, 99, 235), width=6)
    return image


def finished_run(app, owner: str | None = None, *, pictures=("curves.png", "confusion_matrix.png")) -> int:
    """A succeeded run with its pictures on disk, as a job leaves it (dash_app/runs/executor.py)."""
    workbench = get_workbench(app.server)
    store = workbench.runs
    run_id = store.create_run({"dataset": "digits", "epochs": 2}, "Digits · MLP", user=None, owner=owner,
                              backend="diskcache")
    folder = run_folder(workbench.settings.data_dir, run_id)
    folder.mkdir(parents=True)
    for name in pictures:
        curves_picture().save(folder / name)
    (folder / "weights.pt").write_bytes(b"weights")
    store.claim_slot(run_id, 8, ProcessRef("test-host", 4242, 1.0))
    assert store.finish(run_id, "succeeded", artifacts=[(name, 1) for name in (*pictures, "weights.pt")])
    return run_id


def test_the_dialog_offers_finished_runs_with_pictures_and_the_databases(app):
    run_id = finished_run(app)
    get_workbench(app.server).runs.create_run({"dataset": "digits"}, "queued", user=None, backend="diskcache")
    choices = compose_sources.dialog_choices(True, None, None)
    assert [option["value"] for option in choices["runs"]] == [str(run_id)]
    assert choices["runs"][0]["label"].startswith(f"#{run_id} · Digits · MLP")
    assert choices["run"] == str(run_id) and choices["run_note"] == "" and choices["no_runs"] is False
    assert choices["databases"] == [{"label": "shop", "value": "shop"}] and choices["database"] == "shop"
    pictures = compose_sources.run_pictures(str(run_id), None)
    assert pictures["pictures"] == [{"label": "Loss and accuracy", "value": "curves.png"},
                                    {"label": "Confusion matrix", "value": "confusion_matrix.png"}]
    assert compose_sources.run_pictures("../1", None)["pictures"] == []
    assert compose_sources.dialog_choices(False, None, None)["runs"] is no_update


def test_with_no_finished_run_the_dialog_says_so_and_offers_no_picture(app):
    choices = compose_sources.dialog_choices(True, None, None)
    assert choices["runs"] == [] and choices["no_runs"] is True
    assert choices["run_note"] == "No finished Training run you may view has pictures yet."


def test_the_dialog_offers_the_tables_and_the_columns_as_the_data_page_does(app):
    assert compose_sources.database_tables("shop", None) == {
        "tables": [{"label": "sales", "value": "sales"}], "table": "sales", "note": ""}
    assert "no database called" in str(compose_sources.database_tables("elsewhere", None)["note"].children)
    count = compose_sources.table_columns("sales", "count", "shop", None, None)
    assert [option["value"] for option in count["x_options"]] == ["id", "region", "amount", "sold_on"]
    assert count["x"] == "sold_on" and count["y_disabled"] is True, "a date to group by first, as on the Data page"
    mean = compose_sources.table_columns("sales", "mean", "shop", "region", None)
    assert [option["value"] for option in mean["y_options"]] == ["id", "amount"], "numbers: a chart plots them"
    assert (mean["x"], mean["y_disabled"]) == ("region", False)


def test_the_dialog_opens_with_its_button_and_closes_when_a_layer_is_added():
    assert compose_sources.toggle_dialog(ids.COMPOSE_ADD_SOURCE) is True
    for trigger in (ids.COMPOSE_SOURCE_CLOSE, ids.COMPOSE_ADD_CHART, ids.COMPOSE_ADD_ARTIFACT):
        assert compose_sources.toggle_dialog(trigger) is False


def test_a_runs_picture_becomes_a_layer_that_shows_it_and_refreshes_from_it(app):
    run_id = finished_run(app)
    added = update(ids.COMPOSE_ADD_ARTIFACT, source_run=str(run_id), source_picture="curves.png")
    layer = added["scene"]["layers"][0]
    assert layer["source"] == {"kind": "run_artifact", "run_id": run_id, "name": "curves.png"}
    assert layer["name"] == f"Loss and accuracy · run #{run_id}"
    assert added["source_text"] == f"Loss and accuracy of Training run #{run_id}"
    assert_image_equal(stored_picture(app, layer["image_id"]).convert("RGB"), curves_picture())
    refreshed = update(ids.COMPOSE_REFRESH, added["scene"], added["history"], added["selected"])
    assert refreshed["scene"]["layers"][0]["image_id"] != layer["image_id"]
    assert refreshed["scene"]["layers"][0]["scale"] == layer["scale"]


def test_a_deleted_run_or_a_lost_picture_is_refused_with_a_message_and_nothing_changes(app):
    run_id = finished_run(app)
    added = update(ids.COMPOSE_ADD_ARTIFACT, source_run=str(run_id), source_picture="curves.png")
    workbench = get_workbench(app.server)
    (run_folder(workbench.settings.data_dir, run_id) / "curves.png").unlink()
    lost = update(ids.COMPOSE_REFRESH, added["scene"], added["history"], added["selected"])
    assert f"Run #{run_id} has no curves.png any more" in said(lost)
    with workbench.runs.engine.begin() as connection:
        connection.execute(delete(schema.runs).where(schema.runs.c.id == run_id))
    gone = update(ids.COMPOSE_REFRESH, added["scene"], added["history"], added["selected"])
    assert f"Run #{run_id} no longer exists" in said(gone)
    assert gone["scene"] == added["scene"] and gone["history"] == added["history"]
    again = update(ids.COMPOSE_ADD_ARTIFACT, added["scene"], added["history"], added["selected"],
                   source_run=str(run_id), source_picture="curves.png")
    assert again["scene"] == added["scene"] and "no longer exists" in said(again)


def test_only_the_runs_a_user_may_view_are_offered_or_drawn(app):
    workbench = get_workbench(app.server)
    mine, theirs = finished_run(app, owner="alice"), finished_run(app, owner="bob")
    alice = Sources(workbench.data, workbench.runs, workbench.settings.data_dir, Identity("alice"), shared=False)
    assert [item.run.id for item in alice.finished_runs()] == [mine]
    assert alice.run_pictures(theirs) == ()
    with pytest.raises(SourceGone, match=f"run #{theirs} no longer exists \\(or is not yours to view\\)"):
        alice.artifact(source_from_dict({"kind": "run_artifact", "run_id": theirs, "name": "curves.png"}))
    shared = Sources(workbench.data, workbench.runs, workbench.settings.data_dir, Identity("alice"), shared=True)
    assert [item.run.id for item in shared.finished_runs()] == [theirs, mine]
    nobody = Sources(workbench.data, workbench.runs, workbench.settings.data_dir, Identity(""), shared=True)
    assert nobody.finished_runs() == []


def test_a_chart_layer_is_saved_reopened_and_exported_like_an_image(app):
    added = add_chart()
    workbench = get_workbench(app.server)
    scene = scene_from_dict(added["scene"])
    workbench.compose.save(None, "Report", scene)
    assert workbench.compose.load(None, "Report") == scene
    exported = workbench.compose.export_scene(scene, "png")
    from io import BytesIO

    expected = render_scene(scene, load_images(workbench.settings.data_dir, scene.image_ids())).convert("RGB")
    assert_image_equal(Image.open(BytesIO(exported.data)).convert("RGB"), expected)
