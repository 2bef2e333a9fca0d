"""Train a model from a config, reporting progress and obeying a stop request; knows nothing of Dash.

In the style of PyTorch Lightning's callbacks: ``train(config, report=..., should_stop=...)`` calls
``report`` with a small frozen :class:`Progress` at most every ``report_every_s`` seconds (and once at
the end), never per sample, so reporting stays off the hot path; ``should_stop`` is asked about as
often, and a True answer ends training after the current step.

Given a run folder, every finished epoch leaves a checkpoint there (``checkpoint.pt``: model, optimizer,
random number generator states, epoch and history), and ``resume=True`` continues from it: on the CPU
the resumed run ends with the same weights as one that was never stopped.
"""

from __future__ import annotations

import io
import json
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from dash_app.jobs.config import TrainConfig
from dash_app.jobs.datasets import Dataset, load_dataset
from dash_app.jobs.models import build_model, build_optimizer

REPORT_EVERY_S = 0.25
STOP_CHECK_EVERY_S = 0.1
EVAL_BATCH = 8192
CHECKPOINT = "checkpoint.pt"
CHECKPOINT_FORMAT = 1


class TrainingDiverged(ValueError):
    """The loss stopped being a finite number; the message says when and what to try."""


@dataclass(frozen=True)
class Progress:
    """Where a run stands; ``completed`` holds the metrics of epochs finished since the previous report."""

    epoch: int
    epochs: int
    step: int
    total_steps: int
    loss: float | None  # mean training loss of the current epoch so far; None before the first report
    metrics: Mapping[str, float]
    elapsed: float
    eta: float | None
    completed: tuple[Mapping[str, float], ...] = ()
    done: bool = False

    @property
    def fraction(self) -> float:
        return self.step / self.total_steps if self.total_steps else 0.0


@dataclass
class TrainResult:
    """What training produced: weights, per-epoch history and what the artifacts draw."""

    config: TrainConfig
    device: str
    stopped: bool
    history: list[dict[str, float]]
    state_dict: dict[str, torch.Tensor]
    data: Dataset
    val_predictions: np.ndarray
    predict: Callable[[np.ndarray], np.ndarray] = field(repr=False)


def pick_device() -> torch.device:
    """CUDA when present, the CPU otherwise: the one place the device is chosen."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def train(
    config: TrainConfig,
    *,
    report: Callable[[Progress], None] = lambda _progress: None,
    should_stop: Callable[[], bool] = lambda: False,
    databases: Mapping[str, str] | None = None,
    report_every_s: float = REPORT_EVERY_S,
    folder: Path | None = None,
    resume: bool = False,
) -> TrainResult:
    """Train the model the config describes; seeded, so two CPU runs of one config give the same weights.

    With ``folder``, each finished epoch is checkpointed there; with ``resume`` too, training continues
    after the epoch of the checkpoint found there (from the start if there is none for this config).
    """
    torch.manual_seed(config.seed)
    data = load_dataset(config, databases, should_stop)
    device = pick_device()
    checkpoints = Checkpoints(folder, config) if folder is not None else None
    restored = checkpoints.load() if checkpoints is not None and resume else None
    if checkpoints is not None and not resume:
        checkpoints.clear()  # a folder reused by a new run must not hand it an old run's state
    return _Trainer(config, data, device, report, should_stop, report_every_s, checkpoints).run(restored)


class Checkpoints:
    """The checkpoint of a run in its folder: written after every epoch, replaced whole (never half-written)."""

    def __init__(self, folder: Path, config: TrainConfig) -> None:
        self.path = Path(folder) / CHECKPOINT
        self.config_key = json.dumps(config.to_json(), sort_keys=True)

    def save(self, state: dict[str, Any]) -> None:
        # Serialised in memory and written in one go: torch.save straight to a file makes many small
        # writes (about 14 ms against 2 ms for a small MLP), paid after every epoch.
        buffer = io.BytesIO()
        torch.save({"format": CHECKPOINT_FORMAT, "config": self.config_key, **state}, buffer)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f".{CHECKPOINT}.{os.getpid()}.tmp")
        partial.write_bytes(buffer.getbuffer())
        os.replace(partial, self.path)

    def load(self) -> dict[str, Any] | None:
        """The checkpoint of this config, on the CPU; None when there is none (or it is of other settings)."""
        try:
            state = torch.load(self.path, map_location="cpu", weights_only=True)
        except FileNotFoundError:
            return None
        if state.get("format") != CHECKPOINT_FORMAT or state.get("config") != self.config_key:
            return None
        return state

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


class _Trainer:
    """One training run: the hot loop stays plain tensor work; reports are time-gated."""

    def __init__(self, config, data: Dataset, device, report, should_stop, report_every_s,
                 checkpoints: Checkpoints | None = None) -> None:
        self.config, self.data, self.device, self.checkpoints = config, data, device, checkpoints
        self.report, self.should_stop, self.report_every_s = report, should_stop, report_every_s
        self.classifier = config.is_classifier
        self.model = build_model(config, data.n_features, data.n_classes if self.classifier else 1).to(device)
        self.optimizer = build_optimizer(config, self.model)
        self.loss_fn = nn.CrossEntropyLoss() if self.classifier else nn.MSELoss()
        self.y_mean, self.y_std = (0.0, 1.0) if self.classifier else _scale_of(data.y_train)
        self.x_train, self.y_train = self._tensors(data.x_train, data.y_train)
        self.x_val, self.y_val = self._tensors(data.x_val, data.y_val)
        self.generator = torch.Generator().manual_seed(config.seed)
        self.steps_per_epoch = math.ceil(len(data.x_train) / config.batch_size)
        self.total_steps = self.steps_per_epoch * config.epochs
        self.history: list[dict[str, float]] = []
        self.unreported: list[dict[str, float]] = []
        self.elapsed_before = 0.0  # seconds trained by earlier attempts of a resumed run

    def _tensors(self, x: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        if self.classifier:
            target = torch.from_numpy(y).long()
        else:
            target = torch.from_numpy(((y - self.y_mean) / self.y_std).astype(np.float32)).unsqueeze(1)
        return torch.from_numpy(x).to(self.device), target.to(self.device)

    def run(self, restored: dict[str, Any] | None = None) -> TrainResult:
        self.started = time.monotonic()
        self.next_report = self.next_stop_check = self.started
        self.step, self.epoch, self.running_loss = 0, 1, None
        if restored is not None:
            self._restore(restored)
        stopped = self._send(force=True)
        while not stopped and self.epoch <= self.config.epochs:
            stopped = self._train_epoch()
            if not stopped:
                self.history.append(self._epoch_metrics())
                self._checkpoint()
                self.unreported.append(self.history[-1])
                self.epoch += 1
        self.epoch = min(self.epoch, self.config.epochs)
        self._send(force=True, done=True)
        return self._result(stopped)

    def _checkpoint(self) -> None:
        """Save everything the next epoch depends on, so a resumed run continues exactly as this one would."""
        if self.checkpoints is None:
            return
        self.checkpoints.save({
            "epoch": self.epoch, "step": self.step, "elapsed": self._elapsed(time.monotonic()),
            "history": self.history, "model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
            "torch_rng": torch.get_rng_state(), "generator_rng": self.generator.get_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if self.device.type == "cuda" else [],
        })

    def _restore(self, state: dict[str, Any]) -> None:
        """Continue after the checkpoint's epoch: its weights, optimizer, generators, step and history."""
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])  # moves its tensors to the parameters' device
        torch.set_rng_state(state["torch_rng"])
        self.generator.set_state(state["generator_rng"])
        if self.device.type == "cuda" and len(state["cuda_rng"]) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        self.history = [dict(row) for row in state["history"]]
        self.unreported = list(self.history)  # sent again: a store replaces the epochs it already has
        self.epoch, self.step = int(state["epoch"]) + 1, int(state["step"])
        self.elapsed_before = float(state["elapsed"])
        self.running_loss = self.history[-1]["train_loss"] if self.history else None

    def _elapsed(self, now: float) -> float:
        return self.elapsed_before + now - self.started

    def _train_epoch(self) -> bool:
        """Run one epoch; return True when a stop was asked for."""
        self.model.train()
        batch = self.config.batch_size
        order = torch.randperm(len(self.x_train), generator=self.generator).to(self.device)
        loss_sum = torch.zeros((), device=self.device)
        correct = torch.zeros((), device=self.device)
        seen = 0
        for start in range(0, len(order), batch):
            index = order[start:start + batch]
            inputs, targets = self.x_train[index], self.y_train[index]
            self.optimizer.zero_grad(set_to_none=True)
            outputs = self.model(inputs)
            loss = self.loss_fn(outputs, targets)
            loss.backward()
            self.optimizer.step()
            loss_sum += loss.detach() * len(index)
            if self.classifier:
                correct += (outputs.detach().argmax(1) == targets).sum()
            seen += len(index)
            self.step += 1
            now = time.monotonic()
            if now >= self.next_report:
                self.running_loss = self._checked(loss_sum.item() / seen)
                if self._send():
                    return True
            elif now >= self.next_stop_check and self._stop_asked(now):
                return True
        self.train_loss = self._checked(loss_sum.item() / seen)
        self.train_accuracy = correct.item() / seen if self.classifier else None
        return False

    def _stop_asked(self, now: float) -> bool:
        self.next_stop_check = now + STOP_CHECK_EVERY_S
        return bool(self.should_stop())

    def _checked(self, loss: float) -> float:
        if not math.isfinite(loss):
            msg = (f"The loss became {loss} at epoch {self.epoch}, step {self.step}:"
                   " training diverged. Lower the learning rate or standardise the data.")
            raise TrainingDiverged(msg)
        return loss

    @torch.no_grad()
    def _outputs(self, x: torch.Tensor) -> torch.Tensor:
        self.model.eval()
        return torch.cat([self.model(x[start:start + EVAL_BATCH]) for start in range(0, len(x), EVAL_BATCH)])

    def _epoch_metrics(self) -> dict[str, float]:
        outputs = self._outputs(self.x_val)
        val_loss = self._checked(self.loss_fn(outputs, self.y_val).item())
        metrics = {"epoch": self.epoch, "train_loss": self.train_loss, "val_loss": val_loss}
        if self.classifier:
            metrics["train_accuracy"] = self.train_accuracy
            metrics["val_accuracy"] = (outputs.argmax(1) == self.y_val).float().mean().item()
        else:
            error = (outputs - self.y_val).squeeze(1) * self.y_std
            metrics["val_rmse"] = error.pow(2).mean().sqrt().item()
            variance = self.y_val.var(unbiased=False).item()
            metrics["val_r2"] = 1.0 - (error / self.y_std).pow(2).mean().item() / variance if variance else 0.0
        self.running_loss = self.train_loss
        return metrics

    def _send(self, *, force: bool = False, done: bool = False) -> bool:
        """Report where the run stands and return whether a stop was asked for."""
        now = time.monotonic()
        if not force and now < self.next_report:
            return False
        self.next_report = now + self.report_every_s
        elapsed = self._elapsed(now)
        eta = elapsed / self.step * (self.total_steps - self.step) if self.step else None
        self.report(Progress(
            epoch=self.epoch, epochs=self.config.epochs, step=self.step, total_steps=self.total_steps,
            loss=self.running_loss, metrics=dict(self.history[-1]) if self.history else {},
            elapsed=elapsed, eta=0.0 if done else eta, completed=tuple(self.unreported), done=done,
        ))
        self.unreported = []
        return False if done else self._stop_asked(now)

    def _result(self, stopped: bool) -> TrainResult:
        model = self.model.to("cpu").eval()
        state = {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}

        def predict(x: np.ndarray) -> np.ndarray:
            with torch.no_grad():
                outputs = torch.cat([model(torch.from_numpy(np.asarray(x[start:start + EVAL_BATCH], np.float32)))
                                     for start in range(0, len(x), EVAL_BATCH)])
            if self.classifier:
                return outputs.argmax(1).numpy()
            return outputs.squeeze(1).numpy() * self.y_std + self.y_mean

        return TrainResult(
            config=self.config, device=self.device.type, stopped=stopped, history=self.history,
            state_dict=state, data=self.data, val_predictions=predict(self.data.x_val), predict=predict,
        )


def _scale_of(y: np.ndarray) -> tuple[float, float]:
    std = float(y.std())
    return float(y.mean()), std if std > 0 else 1.0
