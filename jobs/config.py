"""What to train and how: one validated, JSON-friendly config shared by the page (inline checks) and the job.

No torch here: the web process imports this module to check a form, and must never load torch; only
the job process does (dash_app/runs/executor.py, started as dash_app/runs/launch.py describes).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

MODELS = ("mlp", "cnn")
OPTIMIZERS = ("adam", "adamw", "sgd")
TASKS = ("classification", "regression")
# Settings every data set uses, in the order a form shows them.
COMMON_FIELDS = ("dataset", "model", "optimizer", "epochs", "batch_size", "learning_rate", "hidden_size",
                 "val_split", "seed")


@dataclass(frozen=True)
class DatasetRule:
    """What one data set takes: its own settings beside the common ones, and the models that fit it."""

    fields: tuple[str, ...]
    models: tuple[str, ...]


# The one place that says which settings and models belong to which data set: the form shows and reads
# these fields (callbacks/training_form.py), the checks below and the run pages follow them.
DATASET_RULES: dict[str, DatasetRule] = {
    "digits": DatasetRule(fields=(), models=("mlp", "cnn")),
    "spirals": DatasetRule(fields=("spiral_classes", "spiral_points", "spiral_noise"), models=("mlp",)),
    "table": DatasetRule(fields=("database", "table", "features", "target", "task", "max_rows"), models=("mlp",)),
}
DATASETS = tuple(DATASET_RULES)
MODEL_MISFIT = {"cnn": "The CNN needs images: choose the MLP for spirals and tables."}


@dataclass(frozen=True)
class Range:
    """Allowed values of a number field, with the text the user reads when a value is outside them."""

    low: float
    high: float
    integer: bool = True

    def problem(self, value: Any) -> str | None:
        """Say what is wrong with ``value``, or None when it is allowed."""
        kind = "a whole number" if self.integer else "a number"
        shown = f"{int(self.low):,} to {int(self.high):,}" if self.integer else f"{self.low:g} to {self.high:g}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"Enter {kind} from {shown}."
        if isinstance(value, int) and not self.low <= value <= self.high:  # before math: 10**400 is no float
            return f"Must be from {shown}."
        if not math.isfinite(value):
            return f"Enter {kind} from {shown}."
        if self.integer and value != int(value):
            return f"Enter a whole number from {shown}."
        if not self.low <= value <= self.high:
            return f"Must be from {shown}."
        return None


RANGES: dict[str, Range] = {
    "epochs": Range(1, 1000),
    "batch_size": Range(1, 8192),
    "learning_rate": Range(1e-6, 10.0, integer=False),
    "hidden_size": Range(2, 2048),
    "val_split": Range(0.05, 0.5, integer=False),
    "seed": Range(0, 2**31 - 1),
    "spiral_points": Range(20, 20_000),
    "spiral_noise": Range(0.0, 1.0, integer=False),
    "max_rows": Range(10, 2_000_000),
}
CHOICES: dict[str, tuple] = {
    "dataset": DATASETS,
    "model": MODELS,
    "optimizer": OPTIMIZERS,
    "spiral_classes": (2, 3),
    "task": TASKS,
}


class ConfigError(ValueError):
    """A config has fields out of range; ``problems`` maps each field name to a message for the user."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{name}: {text}" for name, text in self.problems.items()))


@dataclass(frozen=True)
class TrainConfig:
    """Everything one run needs; defaults train digits well in a few seconds on a laptop CPU."""

    dataset: str = "digits"
    model: str = "mlp"
    epochs: int = 15
    batch_size: int = 64
    learning_rate: float = 0.003
    optimizer: str = "adam"
    hidden_size: int = 64
    val_split: float = 0.2
    seed: int = 0
    spiral_classes: int = 2
    spiral_points: int = 400
    spiral_noise: float = 0.15
    database: str = ""
    table: str = ""
    features: tuple[str, ...] = field(default_factory=tuple)
    target: str = ""
    task: str = "classification"
    max_rows: int = 200_000

    def to_json(self) -> dict[str, Any]:
        """A plain dict for JSON (tuples become lists)."""
        data = asdict(self)
        data["features"] = list(self.features)
        return data

    @property
    def is_classifier(self) -> bool:
        """Whether the job predicts classes (digits and spirals always do)."""
        return self.dataset != "table" or self.task == "classification"

    def summary(self) -> str:
        """One short line naming the data and the model, for tables and headings."""
        if self.dataset == "table":
            return f"{self.database}.{self.table} → {self.target} ({self.task})"
        if self.dataset == "spirals":
            return f"spirals, {self.spiral_classes} classes · MLP"
        return f"digits · {self.model.upper()}"


def dataset_fields(dataset: object) -> tuple[str, ...]:
    """The settings a run of ``dataset`` uses (only the common ones for a data set that does not exist)."""
    rule = DATASET_RULES.get(dataset) if isinstance(dataset, str) else None
    return COMMON_FIELDS + (rule.fields if rule else ())


def model_for(dataset: object, model: object) -> object:
    """``model`` when it fits ``dataset``, else the first model that does (the form switches to it)."""
    rule = DATASET_RULES.get(dataset) if isinstance(dataset, str) else None
    return model if rule is None or model in rule.models else rule.models[0]


def problems_of(values: dict[str, Any]) -> dict[str, str]:
    """Check raw values (from a form or JSON) and return field -> message for every bad one."""
    problems: dict[str, str] = {}
    for name, allowed in CHOICES.items():
        if name in values and values[name] not in allowed:
            problems[name] = "Choose one of: " + ", ".join(str(choice) for choice in allowed) + "."
    for name, rule in RANGES.items():
        if name in values:
            problem = rule.problem(values[name])
            if problem:
                problems[name] = problem
    model = values.get("model")
    if "model" in values and "model" not in problems and model_for(values.get("dataset", "digits"), model) != model:
        problems["model"] = MODEL_MISFIT.get(model, f"The {model} model does not fit this data set.")
    if values.get("dataset") == "table":
        problems.update(_table_problems(values))
    return problems


MAX_NAME_CHARS = 200  # of a database, table or column name
MAX_FEATURES = 500


def _table_problems(values: dict[str, Any]) -> dict[str, str]:
    """A Table source names a database, a table, feature columns and a target column: names (text), never
    anything else turned into one."""
    problems = {}
    for name, missing in (("database", "Choose a database."), ("table", "Choose a table."),
                          ("target", "Choose the column to predict.")):
        if not _is_name(values.get(name)):
            problems[name] = missing
    features = values.get("features")
    if not isinstance(features, (list, tuple)) or not features:
        problems["features"] = "Choose at least one numeric feature column."
    elif len(features) > MAX_FEATURES or not all(_is_name(column) for column in features):
        problems["features"] = f"Choose at most {MAX_FEATURES} numeric feature columns by name."
    elif "target" not in problems and values.get("target") in features:
        problems["target"] = "The target cannot also be a feature."
    return problems


def _is_name(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_NAME_CHARS


def parse_config(values: dict[str, Any]) -> TrainConfig:
    """Build a TrainConfig from raw values; raise ConfigError naming every bad field."""
    known = {item.name for item in fields(TrainConfig)}
    unknown = sorted(set(values) - known)
    problems = {name: "Not a training setting." for name in unknown}
    problems.update(problems_of(values))
    if problems:
        raise ConfigError(problems)
    cleaned = dict(values)
    for name, rule in RANGES.items():
        if name in cleaned and rule.integer:
            cleaned[name] = int(cleaned[name])
        elif name in cleaned:
            cleaned[name] = float(cleaned[name])
    if "features" in cleaned:
        cleaned["features"] = tuple(cleaned["features"])  # names: checked above
    return TrainConfig(**cleaned)
