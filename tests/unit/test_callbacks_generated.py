"""Hostile input to every callback that takes it, through Dash's real endpoint, and malformed callback requests.

Training's Start (and its Table source) and Compose's scene and actions are posted to ``_dash-update-component``
the way the page posts them, with the callback ids taken from ``app.callback_map``; hypothesis generates the
values (wrong types, unknown names, absurd numbers, NaN, huge lists), and the examples the issue names are
tried as written. Each must be answered (never a 5xx) with a message where it is refused, and is never coerced
into something else: a run is queued only with exactly the settings sent. The Data page's generated inputs
run on the three databases in tests/db/test_data_generated.py.

A request Dash itself cannot read (not JSON, not an object, no known output, ...) gets a 400 with a one-line
reason (dash_app/web/callback_bodies.py), and a valid one is untouched.
"""

from __future__ import annotations

import json
import math
import sqlite3

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dash_app.jobs.config import DATASETS, RANGES
from dash_app.workbench import get_workbench

GENERATED = settings(max_examples=60, deadline=None, derandomize=True, database=None, print_blob=True,
                     suppress_health_check=list(HealthCheck))
SERVER_WORDS = ("Traceback", "Internal Server Error", "Exception", "sqlite3", "OperationalError")

EDGE_TEXT = ["", " ", "../../etc", "..\\..\\windows", "digits ", "DIGITS", "table\x00", "\ud800", "😀", "²", "٣",
             "'; DROP TABLE runs; --", "NaN", "Infinity", "-1", "1e400", "9" * 400, "x" * 5_000]
EDGE_NUMBERS = [int("9" * 400), -(10**400), 2**63, 2**31, 0, -1, 1e308, -1e308, 5e-324, float("nan"), float("inf"),
                float("-inf"), -0.0, 0.5, 3]
texts = st.one_of(st.sampled_from(EDGE_TEXT), st.text(max_size=10))
numbers = st.one_of(st.sampled_from(EDGE_NUMBERS), st.integers(), st.floats())
scalars = st.one_of(texts, numbers, st.booleans(), st.none())
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                    max_leaves=6)
huge_lists = st.integers(1_000, 20_000).map(lambda size: list(range(size)))
anything = st.one_of(scalars, junk, huge_lists)


# ---- posting a callback as the page does -------------------------------------------------------------------

def callback_key(app, first_output: str) -> str:
    """The callback's id in ``app.callback_map`` whose first output is ``first_output``."""
    return next(key for key in app.callback_map if key.lstrip(".").startswith(first_output)
                and "callback" in app.callback_map[key])


def payload(app, first_output: str, values: dict, changed: list[str], patterns: dict[str, list] | None = None) -> dict:
    """The body the browser posts for the callback: ``values`` by "id.property"; a pattern-matching (ALL)
    dependency of type T gets one entry per field name in ``patterns[T]``, valued from ``values["T:field.prop"]``."""
    key = callback_key(app, first_output)
    callback = app.callback_map[key]
    patterns = patterns or {}

    def entry(component_id: str, prop: str) -> dict | list:
        if '["ALL"]' in component_id:
            kind = json.loads(component_id)["type"]
            return [{"id": {"field": name, "type": kind}, "property": prop,
                     "value": {"field": name, "type": kind} if prop == "id" else values.get(f"{kind}:{name}.{prop}")}
                    for name in patterns.get(kind, [])]
        concrete = json.loads(component_id) if component_id.startswith("{") else component_id
        return {"id": concrete, "property": prop, "value": values.get(f"{component_id}.{prop}")}

    def output(item: str) -> dict | list:
        component_id, prop = item.split("@")[0].rsplit(".", 1)
        found = entry(component_id, prop)
        return [{"id": one["id"], "property": prop} for one in found] if isinstance(found, list) else \
            {"id": found["id"], "property": prop}

    outputs = [output(item) for item in key.strip(".").split("...")]
    return {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
            "inputs": [entry(item["id"], item["property"]) for item in callback["inputs"]],
            "state": [entry(item["id"], item["property"]) for item in callback["state"]],
            "changedPropIds": changed}


def post(client, body: dict):
    """Post a callback; check it is an answer a user may see (never a server error or its words)."""
    response = client.post("/_dash-update-component", json=body)
    text = response.get_data(as_text=True)
    assert response.status_code in (200, 204, 400), text[:800]
    for word in SERVER_WORDS:
        assert word not in text, text[:800]
    if response.status_code == 400:  # a request the page cannot have sent (dash_app/web/callback_bodies.py)
        assert response.mimetype == "text/plain" and "callback request" in text
    return response.get_json() if response.status_code == 200 else {}


def words(component) -> str:
    """Every text a component (as Dash sends it) shows."""
    if isinstance(component, str):
        return component
    if isinstance(component, list):
        return " ".join(words(item) for item in component)
    if isinstance(component, dict):
        return words(component.get("props", {}).get("children"))
    return ""


# ---- malformed requests ------------------------------------------------------------------------------------

@pytest.mark.parametrize("body,content_type,expected", [
    (b"not json", "application/json", "not JSON"),
    (b"", "application/json", "not JSON"),
    (b"\xff\xfe{", "application/json", "not JSON"),
    (b"[1, 2]", "application/json", "not a JSON object"),
    (b'"output"', "application/json", "not a JSON object"),
    (b"{}", "application/json", 'no "output"'),
    (b'{"output": 7}', "application/json", 'no "output"'),
    (b'{"output": "nope.children", "outputs": {"id": "nope", "property": "children"}}', "application/json",
     "names no callback"),
    (b'{"output": "data-url-sync.data", "outputs": {"id": "data-url-sync", "property": "data"}}', "application/json",
     "names no callback"),  # a clientside callback: nothing on the server to run
    (b"[" * 100_000 + b"]" * 100_000, "application/json", "nests deeper"),
    (b'{"a":' * 150 + b"1" + b"}" * 150, "application/json", "nests deeper"),
    (b"not json", "text/plain", "not JSON"),
])
def test_a_malformed_callback_request_gets_a_400_with_a_reason(client, body, content_type, expected):
    response = client.post("/_dash-update-component", data=body, content_type=content_type)
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert expected in response.get_data(as_text=True) and len(response.get_data()) < 200


@pytest.mark.parametrize("change,expected", [
    ({"inputs": {"not": "a list"}}, '"inputs" is not a list of 1 entries'),
    ({"inputs": []}, '"inputs" is not a list of 1 entries'),
    ({"inputs": [7]}, 'entry of the callback request\'s "inputs"'),
    ({"inputs": [{"id": "data-grid"}]}, 'entry of the callback request\'s "inputs"'),
    ({"state": "x"}, '"state" is not a list of 3 entries'),
    ({"outputs": "data-grid"}, '"outputs" do not match'),
    ({"outputs": {"id": "data-grid", "property": "getRowsResponse"}}, '"outputs" do not match'),
    ({"outputs": [{"id": "data-view", "property": "data"}]}, '"outputs" do not match'),
    ({"outputs": [{"id": "data-grid"}]}, '"outputs" do not match'),
    ({"outputs": [[7]]}, '"outputs" do not match'),
    ({"changedPropIds": "data-grid.getRowsRequest"}, '"changedPropIds"'),
    ({"changedPropIds": [["x"]]}, '"changedPropIds"'),
])
def test_a_callback_request_of_the_wrong_shape_gets_a_400(app, client, change, expected):
    body = payload(app, "data-grid.getRowsResponse", {"data-grid.getRowsRequest": {"startRow": 0, "endRow": 10}},
                   ["data-grid.getRowsRequest"])
    assert client.post("/_dash-update-component", json=body).status_code == 200, "the page's own request"
    response = client.post("/_dash-update-component", json={**body, **change})
    assert response.status_code == 400 and expected in response.get_data(as_text=True)


def test_a_pattern_matching_output_sent_with_other_components_than_its_states_gets_a_400(app, client):
    """The live cards' progress answers one body per card its states name; outputs naming fewer are not the page's."""
    from dash_app import ids

    client.get("/_dash-layout")
    key = next(key for key in app.callback_map if key.startswith("..") and '"type":"train-active-body"' in key)
    body_id = json.loads(app.callback_map[key]["state"][0]["id"])
    card = {name: (1 if value == ["ALL"] else value) for name, value in body_id.items()}
    other = {**card, "run": 2}
    body = {"output": key, "outputs": [[{"id": card, "property": "children"}]],
            "inputs": [{"id": ids.TRAIN_RUNS_SIGNATURE, "property": "data", "value": "x"}],
            "state": [[{"id": card, "property": "id", "value": card}, {"id": other, "property": "id", "value": other}]],
            "changedPropIds": [f"{ids.TRAIN_RUNS_SIGNATURE}.data"]}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "not the components its states name" in response.get_data(as_text=True)
    body["outputs"] = [[{"id": card, "property": "children"}, {"id": other, "property": "children"}]]
    assert client.post("/_dash-update-component", json=body).status_code in (200, 204), "as the page sends it"


def test_the_check_is_only_for_the_products_callback_endpoint(app, client):
    """Other routes (the host's, the product's downloads) are not read as callback requests."""
    host = app.server
    host.add_url_rule("/host/echo", "host_echo", lambda: "host answered", methods=["POST"])
    assert client.post("/host/echo", data=b"not json", content_type="application/json").data == b"host answered"


@GENERATED
@given(body=st.one_of(junk, st.dictionaries(st.sampled_from(["output", "outputs", "inputs", "state",
                                                                 "changedPropIds"]), anything, max_size=5)))
def test_generated_callback_envelopes_are_answered_never_a_server_error(client, body):
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code < 500 and "Traceback" not in response.get_data(as_text=True)


# ---- Training: Start and its Table source --------------------------------------------------------------------

NUMBER_FIELDS = ("epochs", "batch_size", "learning_rate", "hidden_size", "val_split", "seed", "spiral_points",
                 "spiral_noise", "max_rows")
CHOICE_FIELDS = ("dataset", "model", "optimizer", "spiral_classes", "database", "table", "features", "target", "task")
FEEDBACK_FIELDS = ("model", "database", "table", "features", "target", "task")
TRAINING_PATTERNS = {"train-field": list(NUMBER_FIELDS), "train-choice": list(CHOICE_FIELDS),
                     "train-choice-feedback": list(FEEDBACK_FIELDS)}
GOOD_FORM = {"epochs": 3, "batch_size": 64, "learning_rate": 0.003, "hidden_size": 64, "val_split": 0.2, "seed": 0,
             "spiral_points": 400, "spiral_noise": 0.15, "max_rows": 1000, "dataset": "digits", "model": "mlp",
             "optimizer": "adam", "spiral_classes": "2", "database": None, "table": None, "features": None,
             "target": None, "task": "classification"}


@pytest.fixture
def training(tmp_path, monkeypatch):
    """An app with one database to train on (a table of numbers), whose launcher only records what it is given."""
    from dash_app import create_app
    from dash_app.settings import load_settings

    path = tmp_path / "shop.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("create table sizes (id integer primary key, width real, height real, kind text)")
        connection.executemany("insert into sizes values (?, ?, ?, ?)",
                               [(i, i * 1.5, i * 2.0, "ab"[i % 2]) for i in range(1, 41)])
    app = create_app(load_settings(data_dir=tmp_path / "data", databases={"shop": f"sqlite:///{path}"},
                                   max_active_runs_per_user=1_000))
    launched = []
    monkeypatch.setattr(get_workbench(app.server).launcher, "launch", lambda run_id, attempt=1: launched.append(run_id))
    yield app, app.server.test_client(), launched
    get_workbench(app.server).dispose()


def press_start(app, client, form: dict) -> dict:
    """Press Start with the form's fields as given (by field name)."""
    kinds = {name: "train-field" for name in NUMBER_FIELDS} | {name: "train-choice" for name in CHOICE_FIELDS}
    values = {f"{kinds[name]}:{name}.value": value for name, value in form.items()} | {"train-start.n_clicks": 1}
    return post(client, payload(app, "train-start-alert.children", values, ["train-start.n_clicks"], TRAINING_PATTERNS))


def check_field(app, client, name: str, value) -> dict:
    """The mark under one number field for what is typed in it (each field's own callback, MATCH), posted as the
    page posts it."""
    field = {"field": name, "type": "train-field"}
    return post(client, {
        "output": callback_key(app, '{"field":["MATCH"],"type":"train-field"}.invalid'),
        "outputs": [{"id": field, "property": "invalid"},
                    {"id": {"field": name, "type": "train-field-feedback"}, "property": "children"}],
        "inputs": [{"id": field, "property": "value", "value": value}],
        "state": [{"id": field, "property": "id", "value": field}],
        "changedPropIds": [json.dumps(field, separators=(",", ":")) + ".value"],
    })


def start_message(answer: dict) -> str:
    return words(answer["response"]["train-start-alert"]["children"])


@pytest.mark.parametrize("change,field,expected", [
    ({"epochs": int("9" * 400)}, "epochs", "Must be from 1 to 1,000"),
    ({"epochs": "1" * 400}, "epochs", "Enter a whole number"),
    ({"epochs": float("nan")}, "epochs", "Enter a whole number"),
    ({"dataset": ["digits"]}, "dataset", "Choose one of: digits, spirals, table"),
    ({"dataset": {"name": "digits"}}, "dataset", "Choose one of"),
    ({"dataset": "../../etc"}, "dataset", "Choose one of"),
    ({"dataset": None}, "dataset", "Choose one of"),
    ({"dataset": "DIGITS"}, "dataset", "Choose one of"),
    ({"learning_rate": float("nan")}, "learning_rate", "Enter a number"),
    ({"learning_rate": -0.1}, "learning_rate", "Must be from"),
    ({"learning_rate": "0.003" * 1_000}, "learning_rate", "Enter a number"),
    ({"spiral_classes": "²", "dataset": "spirals"}, "spiral_classes", "Choose one of: 2, 3"),
    ({"model": ["mlp"]}, "model", "Choose one of"),
    ({"optimizer": {"$ne": 1}}, "optimizer", "Choose one of"),
])
def test_start_refuses_what_the_form_cannot_send_and_starts_nothing(training, change, field, expected):
    """The replays the issue names: a 400-digit epochs, a list or an object as the data set, an unknown one."""
    app, client, launched = training
    answer = press_start(app, client, {**GOOD_FORM, **change})
    assert "Nothing started" in start_message(answer)
    # A number field is marked as it is typed (once, not again in Start's alert); a choice is marked by Start.
    marked = check_field(app, client, field, change[field]) if field in NUMBER_FIELDS else answer
    shown = json.dumps(marked["response"], ensure_ascii=False)
    assert expected in shown, (field, shown[:600])
    if field in NUMBER_FIELDS:
        assert expected not in start_message(answer), "said once, under its field"
    assert get_workbench(app.server).runs.list_runs() == [] and launched == []


@pytest.mark.parametrize("change,expected", [
    ({"database": "nope"}, "no database called"),
    ({"database": ["shop"]}, "Choose a database"),
    ({"table": "sizes; DROP TABLE sizes"}, "no table or view"),
    ({"table": {"name": "sizes"}}, "Choose a table"),
    ({"features": ["width", "nope"]}, "Not numeric columns of 'sizes': 'nope'"),
    ({"features": ["width", "kind"], "target": "height"}, "Not numeric columns of 'sizes': 'kind'"),
    ({"features": "width"}, "Choose at least one numeric feature column"),
    ({"features": [["width"]]}, "by name"),
    ({"features": list(range(10_000))}, "by name"),
    ({"target": "../../etc/passwd"}, "There is no column"),
    ({"target": 7}, "Choose the column to predict"),
    ({"task": "regression"}, "'kind' is not numeric: a regression predicts a number"),
])
def test_a_table_source_that_is_not_there_is_refused_by_name(training, change, expected):
    app, client, launched = training
    form = {**GOOD_FORM, "dataset": "table", "database": "shop", "table": "sizes", "features": ["width"],
            "target": "kind", **change}
    answer = press_start(app, client, form)
    assert "Nothing started" in start_message(answer)
    assert expected in json.dumps(answer["response"], ensure_ascii=False), json.dumps(answer["response"])[:800]
    assert get_workbench(app.server).runs.list_runs() == [] and launched == []


def test_the_page_own_values_start_a_run_with_exactly_those_settings(training):
    app, client, launched = training
    answer = press_start(app, client, {**GOOD_FORM, "dataset": "table", "database": "shop", "table": "sizes",
                                       "features": ["width", "height"], "target": "kind"})
    assert "queued" in start_message(answer) and launched == [1]
    config = get_workbench(app.server).runs.get(1).config
    assert (config["dataset"], config["epochs"], config["features"], config["target"]) == ("table", 3,
                                                                                          ["width", "height"], "kind")


def training_forms() -> st.SearchStrategy:
    """A form the page could send (each data set; a Table source on the shop's table), with up to three of its fields
    replaced by anything: wrong types, unknown names, absurd numbers."""
    table = {"database": "shop", "table": "sizes", "features": ["width"], "target": "kind"}
    forms = st.sampled_from([GOOD_FORM, {**GOOD_FORM, "dataset": "spirals"}, {**GOOD_FORM, "dataset": "table", **table}])
    names = st.lists(st.sampled_from(sorted(GOOD_FORM)), min_size=1, max_size=3, unique=True)
    table_values = {"dataset": st.sampled_from(DATASETS), "database": st.just("shop"), "table": st.just("sizes"),
                    "features": st.lists(st.sampled_from(["width", "height", "kind", "id", "nope"]), max_size=3),
                    "target": st.sampled_from(["kind", "width", "nope"])}

    def replaced(form: dict, changed: list[str]) -> st.SearchStrategy:
        values = {name: st.one_of(table_values[name], anything) if name in table_values else anything
                  for name in changed}
        return st.fixed_dictionaries(values).map(lambda new: {**form, **new})

    return st.tuples(forms, names).flatmap(lambda pair: replaced(*pair))


@GENERATED
@given(form=training_forms())
def test_generated_starts_are_refused_with_a_message_or_run_exactly_what_was_sent(training, form):
    app, client, launched = training
    store = get_workbench(app.server).runs
    before = len(store.list_runs())
    answer = press_start(app, client, form)
    message = start_message(answer)
    runs = store.list_runs()
    event("queued" if len(runs) > before else "refused")
    if len(runs) == before:
        assert "Nothing started" in message, message
        return
    assert "queued" in message
    config = store.get(max(run.id for run in runs)).config  # never coerced: what was sent, or not started
    assert config["dataset"] == form["dataset"] in DATASETS
    for name in NUMBER_FIELDS:
        if name in config and name in RANGES and name in form and _counts(name, config["dataset"]):
            assert config[name] == form[name] and not isinstance(form[name], bool), name
    if config["dataset"] == "table":
        assert (config["database"], config["table"], config["target"]) == (form["database"], form["table"],
                                                                           form["target"])
        assert config["features"] == list(form["features"])


def _counts(name: str, dataset: str) -> bool:
    from dash_app.jobs.config import dataset_fields

    return name in dataset_fields(dataset)


@settings(GENERATED, max_examples=30)
@given(database=anything, table=anything)
def test_generated_table_pickers_list_or_say_why(training, database, table):
    """The Table source's pickers: the tables of a database, the columns of a table."""
    app, client, launched = training
    tables = post(client, payload(app, '{"field":"table","type":"train-choice"}.options',
                                  {"train-choice:database.value": database},
                                  ['{"field":"database","type":"train-choice"}.value'],
                                  {"train-choice": ["database", "table"], "train-choice-feedback": ["database"]}))
    columns = post(client, payload(app, '{"field":"features","type":"train-choice"}.options',
                                   {"train-choice:table.value": table, "train-choice:database.value": database},
                                   ['{"field":"table","type":"train-choice"}.value'],
                                   {"train-choice": ["table", "database", "features", "target"],
                                    "train-choice-feedback": ["table"]}))
    assert tables == {} or isinstance(tables["response"], dict)
    assert columns == {} or isinstance(columns["response"], dict)


# ---- Compose: the scene and its actions ---------------------------------------------------------------------

COMPOSE_OUTPUT = "compose-scene.data"


def compose_inputs(app) -> list[str]:
    """Every input of the Compose callback, as "id.property"."""
    return [f"{item['id']}.{item['property']}" for item in app.callback_map[callback_key(app, COMPOSE_OUTPUT)]["inputs"]]


def compose(app, client, values: dict, trigger: str) -> dict:
    return post(client, payload(app, COMPOSE_OUTPUT, values, [trigger]))


@pytest.fixture
def scene_with_text(app, client):
    """The scene after "Add text": one text layer, selected."""
    answer = compose(app, client, {"compose-add-text.n_clicks": 1}, "compose-add-text.n_clicks")["response"]
    return answer["compose-scene"]["data"], answer["compose-selected"]["data"]


LAYER_NUMBERS = ("compose-x.value", "compose-y.value", "compose-scale.value", "compose-rotation.value",
                 "compose-opacity.value")
EVENT_KINDS = ["layerselect", "layerdrop", "layertoggle", "layerorder", "composeupload", "composenotice"]
DROP_KINDS = ["move", "scale", "rotate", "crop", "moves", "select", "deselect"]


def events(layer_id: str) -> st.SearchStrategy:
    ids = st.one_of(st.just(layer_id), texts, junk)
    detail = st.fixed_dictionaries({}, optional={
        "id": ids, "kind": st.one_of(st.sampled_from(DROP_KINDS), texts), "x": numbers, "y": numbers, "scale": numbers,
        "rotation": numbers, "crop": st.one_of(st.fixed_dictionaries({"x": numbers, "y": numbers, "width": numbers,
                                                                      "height": numbers}), junk),
        "ids": st.one_of(st.lists(ids, max_size=5), huge_lists), "moves": st.one_of(junk, huge_lists),
        "additive": anything, "flag": anything, "order": st.one_of(st.lists(ids, max_size=4), junk),
        "message": anything})
    return st.one_of(st.fixed_dictionaries({"type": st.one_of(st.sampled_from(EVENT_KINDS), texts),
                                            "detail": st.one_of(detail, junk)}), junk)


def mostly(value, other: st.SearchStrategy) -> st.SearchStrategy:
    """``value`` four times in five, else something drawn from ``other``."""
    return st.integers(0, 4).flatmap(lambda pick: st.just(value) if pick else other)


def compose_check(app, client, scene: dict, selected, values: dict, trigger: str) -> None:
    """Post one Compose input; a scene kept is one the app reads back, and a layer field typed with something that
    is no number changes nothing and says why."""
    answer = compose(app, client, values, trigger).get("response", {})
    stored = answer.get("compose-scene", {}).get("data")
    if stored is not None:  # a scene the page keeps is always one the app reads back
        from dash_app.compose.scene import scene_from_dict

        scene_from_dict(stored, max_side=get_workbench(app.server).settings.max_canvas_side)
    typed = values.get(trigger)
    untouched = values["compose-scene.data"] is scene and values["compose-selected.data"] == selected
    if trigger in LAYER_NUMBERS and untouched and typed is not None and not _finite_number(typed):
        assert stored is None or stored == scene, "a value that is no number never changes the layer"
        assert words(answer.get("compose-alerts", {}).get("children")), "and it says why"


def compose_state(data, scene: dict, selected) -> dict:
    return {"compose-scene.data": data.draw(mostly(scene, anything), label="scene"),
            "compose-selected.data": data.draw(mostly(selected, anything), label="selected"),
            "compose-keys.keydown": data.draw(st.one_of(st.fixed_dictionaries(
                {"key": st.one_of(st.sampled_from(["ArrowLeft", "Delete", "z", "y"]), texts, junk),
                 "shiftKey": anything, "ctrlKey": anything}), junk), label="keydown")}


@settings(GENERATED, max_examples=100)
@given(data=st.data())
def test_generated_compose_fields_are_refused_with_a_message_never_coerced(app, client, scene_with_text, data):
    """Every field of the layer, text and canvas panels, typed with anything."""
    scene, selected = scene_with_text
    fields = [name for name in compose_inputs(app) if name.endswith(".value")]
    trigger = data.draw(st.sampled_from(fields), label="trigger")
    values = {name: data.draw(anything, label=name) for name in data.draw(st.lists(st.sampled_from(fields), max_size=4),
                                                                         label="also")}
    values[trigger] = data.draw(anything, label="value")
    compose_check(app, client, scene, selected, values | compose_state(data, scene, selected), trigger)


@settings(GENERATED, max_examples=100)
@given(data=st.data())
def test_generated_compose_events_are_refused_with_a_message(app, client, scene_with_text, data):
    """The stage's and the layer list's events (drags, selections, toggles, reorders, uploads), with anything in them."""
    scene, selected = scene_with_text
    values = {"compose-events.event": data.draw(events(scene["layers"][0]["id"]), label="event")}
    compose_check(app, client, scene, selected, values | compose_state(data, scene, selected), "compose-events.event")


@settings(GENERATED, max_examples=60)
@given(data=st.data())
def test_generated_compose_buttons_and_keys_with_a_hostile_selection_are_answered(app, client, scene_with_text, data):
    """Buttons and shortcuts, with the selection and the pressed key as anything."""
    scene, selected = scene_with_text
    buttons = [name for name in compose_inputs(app) if not name.endswith((".value", ".event"))]
    trigger = data.draw(st.sampled_from(buttons), label="trigger")
    values = {trigger: 1} | compose_state(data, scene, selected)
    compose_check(app, client, scene, selected, values, trigger)


def _finite_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@pytest.mark.parametrize("trigger,value,expected", [
    ("compose-x.value", "12", "must be a number"),
    ("compose-x.value", float("nan"), "must be a number"),
    ("compose-scale.value", [1, 2], "must be a number"),
    ("compose-rotation.value", {"deg": 1}, "must be a number"),
    ("compose-events.event", {"type": "layerdrop", "detail": {"kind": "move", "id": "nope", "x": 1, "y": 2}},
     "no longer in the composition"),
    ("compose-events.event", {"type": "hack", "detail": {}}, "does not know"),
])
def test_named_compose_cases_are_refused_with_a_message(app, client, scene_with_text, trigger, value, expected):
    scene, selected = scene_with_text
    answer = compose(app, client, {trigger: value, "compose-scene.data": scene, "compose-selected.data": selected},
                     trigger)["response"]
    assert expected in words(answer["compose-alerts"]["children"]).lower() or \
        expected in words(answer["compose-alerts"]["children"])
    assert answer.get("compose-scene", {}).get("data", scene) == scene


@pytest.mark.parametrize("trigger,value", [
    ("compose-preset.value", ["a", "b"]), ("compose-preset.value", {"w": 1}), ("compose-width.value", 1e308),
    ("compose-width.value", float("nan")), ("compose-weight.value", "²"), ("compose-font-size.value", "1e400"),
    ("compose-angle.value", [1]), ("compose-bg-kind.value", {"kind": "photo"}), ("compose-fit.value", [None]),
    ("compose-name.value", {"$set": 1}), ("compose-text.value", ["x"] * 10_000), ("compose-crop-x.value", 1e308),
])
def test_odd_values_of_the_compose_fields_are_answered(app, client, scene_with_text, trigger, value):
    scene, selected = scene_with_text
    answer = compose(app, client, {trigger: value, "compose-scene.data": scene, "compose-selected.data": selected},
                     trigger).get("response", {})
    stored = answer.get("compose-scene", {}).get("data")
    if stored is not None and stored != scene:
        from dash_app.compose.scene import scene_from_dict

        scene_from_dict(stored, max_side=get_workbench(app.server).settings.max_canvas_side)


# ---- every other server callback: anything in every input and state ---------------------------------------------

def server_callbacks() -> list[str]:
    """The app's server callbacks that run in the request (a background one, the chart, is tested in
    tests/db/test_data_generated.py) and whose outputs do not depend on which components the page holds (for a
    pattern-matching output Dash itself refuses an answer of another length than the ids sent)."""
    from dash_app import create_app
    from dash_app.settings import load_settings

    app = create_app(load_settings())
    client = app.server.test_client()
    client.get("/_dash-layout")  # the pages' callbacks are all registered by then
    return sorted(key for key, callback in app.callback_map.items()
                  if "callback" in callback and not callback.get("background") and '["ALL"]}.' not in key
                  and '["ALL"],' not in key.split("...")[0] and not any('["ALL"]' in item for item in key.split("...")))


def hostile_entry(data, dependency: dict) -> dict | list:
    """One input or state of the request, with anything as its value (a pattern-matching one: one component)."""
    if '["ALL"]' not in dependency["id"]:
        return {"id": dependency["id"], "property": dependency["property"], "value": data.draw(anything)}
    pattern = json.loads(dependency["id"])
    concrete = {key: data.draw(st.one_of(st.integers(), texts)) if value == ["ALL"] else value
                for key, value in pattern.items()}
    value = data.draw(st.one_of(st.just(concrete), anything)) if dependency["property"] == "id" else data.draw(anything)
    return [{"id": concrete, "property": dependency["property"], "value": value}]


@pytest.mark.parametrize("key", server_callbacks())
@settings(GENERATED, max_examples=20)
@given(data=st.data())
def test_every_server_callback_answers_anything_without_a_server_error(app, client, key, data):
    client.get("/_dash-layout")  # registers the pages' callbacks, as a browser's first request does
    callback = app.callback_map[key]
    outputs = []
    for item in key.strip(".").split("..."):
        component_id, prop = item.rsplit(".", 1)
        outputs.append({"id": json.loads(component_id) if component_id.startswith("{") else component_id,
                        "property": prop.split("@")[0]})
    trigger = data.draw(st.sampled_from(callback["inputs"]), label="trigger")
    post(client, {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
                  "inputs": [hostile_entry(data, item) for item in callback["inputs"]],
                  "state": [hostile_entry(data, item) for item in callback["state"]],
                  "changedPropIds": [f"{trigger['id']}.{trigger['property']}"]})
