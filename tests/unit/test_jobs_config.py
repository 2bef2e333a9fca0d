"""The training config: sensible defaults, and a message per bad field that the page shows next to it."""

from __future__ import annotations

import pytest

from dash_app.jobs.config import ConfigError, TrainConfig, dataset_fields, model_for, parse_config, problems_of


def test_defaults_are_valid_and_round_trip_through_json():
    config = TrainConfig()
    assert problems_of(config.to_json()) == {}
    assert parse_config(config.to_json()) == config


@pytest.mark.parametrize(("field", "value", "message"), [
    ("epochs", 0, "Must be from 1 to 1,000."),
    ("epochs", 2.5, "Enter a whole number from 1 to 1,000."),
    ("epochs", None, "Enter a whole number from 1 to 1,000."),
    ("learning_rate", float("nan"), "Enter a number from 1e-06 to 10."),
    ("learning_rate", 50, "Must be from 1e-06 to 10."),
    ("val_split", 0.9, "Must be from 0.05 to 0.5."),
    ("batch_size", "64", "Enter a whole number from 1 to 8,192."),
    ("optimizer", "rmsprop", "Choose one of: adam, adamw, sgd."),
    ("seed", -1, "Must be from 0 to 2,147,483,647."),
    ("epochs", int("9" * 400), "Must be from 1 to 1,000."),  # a replayed request: no float holds it
    ("learning_rate", -(10**400), "Must be from 1e-06 to 10."),
    ("dataset", ["digits"], "Choose one of: digits, spirals, table."),
    ("dataset", "../../etc", "Choose one of: digits, spirals, table."),
])
def test_each_bad_field_gets_its_own_message(field, value, message):
    with pytest.raises(ConfigError) as caught:
        parse_config({field: value})
    assert caught.value.problems == {field: message}


def test_several_problems_are_reported_together():
    problems = problems_of({"epochs": 0, "batch_size": 0, "dataset": "spirals", "model": "cnn"})
    assert set(problems) == {"epochs", "batch_size", "model"}
    assert "CNN" in problems["model"]


def test_each_data_set_has_its_own_fields_and_models():
    assert "spiral_points" in dataset_fields("spirals") and "spiral_points" not in dataset_fields("table")
    assert "max_rows" in dataset_fields("table") and "max_rows" not in dataset_fields("digits")
    assert dataset_fields("nope") == dataset_fields("digits"), "an unknown data set has only the common fields"
    assert model_for("digits", "cnn") == "cnn" and model_for("table", "cnn") == "mlp" == model_for("spirals", "cnn")
    assert problems_of({"dataset": "table", "model": "cnn"})["model"].startswith("The CNN needs images")
    assert "model" not in problems_of({"dataset": "digits", "model": "cnn"})


def test_a_table_run_needs_database_table_features_and_a_distinct_target():
    problems = problems_of({"dataset": "table", "features": ["a"], "target": "a"})
    assert problems == {"database": "Choose a database.", "table": "Choose a table.",
                        "target": "The target cannot also be a feature."}


def test_unknown_fields_are_refused():
    with pytest.raises(ConfigError, match="Not a training setting"):
        parse_config({"epochs": 3, "rm -rf": 1})


def test_integers_from_a_form_stay_integers():
    config = parse_config({"epochs": 3.0, "learning_rate": 1, "features": ["x"]})
    assert config.epochs == 3 and isinstance(config.epochs, int)
    assert isinstance(config.learning_rate, float) and config.features == ("x",)
