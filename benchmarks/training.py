"""Training benchmark: one digits training three ways, timed in one run.

1. bare: a plain PyTorch loop written here (same data split, model, optimizer, batches and per-epoch
   validation as the job), no reporting, no artifacts;
2. jobs: ``dash_app.jobs.train.train`` with progress reported into a real run store (the adapter the
   app uses) and a checkpoint after every epoch, then the artifacts written;
3. app: ``python -m dash_app`` in a subprocess; the page's Start callback is called over HTTP (POST
   /_dash-update-component with the form's values, as the browser does), which queues the run and
   launches its job process; the run's end is read from the app's store. Then a short second run:
   ``first_progress_s`` is its Start to first progress in the store (the job process is warm, as in use);
4. scaled (where TEST_REDIS_URL or DASH_APP_REDIS_URL is set): the same with DASH_APP_BACKGROUND=celery and a
   real Celery worker started here, ``first_progress_scaled_s`` in the JSON line.

Epochs are calibrated so the bare loop takes about TARGET_S seconds, inside the app's own limits: on a
machine fast enough to need more than the allowed epochs, each epoch gets more steps (a smaller batch).
Prints figures and ratios, and ends with one JSON line; a part that cannot be measured is null there,
with the reason printed. Run from the repository root: ``.venv/bin/python benchmarks/training.py``
(``--target-s 5`` for a quick run).
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import requests
import torch

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from dash_app.components.training import POLL_STARTING_MS  # noqa: E402
from dash_app.jobs.artifacts import write_artifacts  # noqa: E402
from dash_app.jobs.config import RANGES, TrainConfig  # noqa: E402
from dash_app.jobs.datasets import load_dataset  # noqa: E402
from dash_app.jobs.models import build_model, build_optimizer  # noqa: E402
from dash_app.jobs.train import pick_device, train  # noqa: E402
from dash_app.runs.executor import StoreReporter  # noqa: E402
from dash_app.runs.store import current_process, open_store  # noqa: E402

DATA = REPO_ROOT / "benchmarks" / ".data" / "training"
TARGET_S = 20.0
MAX_EPOCHS = int(RANGES["epochs"].high)  # the app's own limit
BASE = TrainConfig(dataset="digits", model="mlp", batch_size=32, hidden_size=128, learning_rate=0.001, seed=0)


def bare(config: TrainConfig) -> float:
    """The plain loop: seconds from loading the data to the last epoch's validation."""
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    device = pick_device()  # the job's own choice, so both run on the same device
    data = load_dataset(config)
    x_train, y_train = torch.from_numpy(data.x_train).to(device), torch.from_numpy(data.y_train).to(device)
    x_val, y_val = torch.from_numpy(data.x_val).to(device), torch.from_numpy(data.y_val).to(device)
    model = build_model(config, 64, 10).to(device)
    optimizer = build_optimizer(config, model)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(config.seed)
    for _epoch in range(config.epochs):
        model.train()
        order = torch.randperm(len(x_train), generator=generator).to(device)
        total, correct = 0.0, 0
        for start in range(0, len(order), config.batch_size):
            index = order[start:start + config.batch_size]
            optimizer.zero_grad(set_to_none=True)
            outputs = model(x_train[index])
            loss = loss_fn(outputs, y_train[index])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
            correct += (outputs.argmax(1) == y_train[index]).sum().item()
        model.eval()
        with torch.no_grad():
            val_outputs = model(x_val)
            loss_fn(val_outputs, y_val).item()
            (val_outputs.argmax(1) == y_val).float().mean().item()
    return time.perf_counter() - started


def through_jobs(config: TrainConfig) -> tuple[float, int, str]:
    """jobs.train with reports into a real store, then artifacts; seconds, reports made and the device used."""
    folder = DATA / "jobs"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    store = open_store(f"sqlite:///{folder / 'store.sqlite'}")
    run_id = store.create_run(config.to_json(), config.summary(), user=None, backend="diskcache")
    store.claim_slot(run_id, 1, current_process())
    reporter = StoreReporter(store, run_id, None)
    reports = 0

    def report(progress) -> None:
        nonlocal reports
        reports += 1
        reporter(progress)

    started = time.perf_counter()
    result = train(config, report=report, should_stop=reporter.should_stop, folder=folder / "artifacts")
    write_artifacts(result, folder / "artifacts")
    elapsed = time.perf_counter() - started
    store.dispose()
    return elapsed, reports, result.device


def through_app(config: TrainConfig, redis_url: str | None = None) -> dict[str, float]:
    """The whole path through the running app, default mode or (``redis_url``) scaled mode with a Celery worker.

    Returns the seconds from Start to the run's end (``seconds``) and to its first progress in the store
    (``first_progress_s``: a second, short run's, once the job process or worker is warm, as it is in use;
    ``first_progress_first_run_s``: the first run's, right after the server started).
    """
    folder = DATA / ("scaled" if redis_url else "app")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DASH_APP_")}
    if redis_url:
        environment |= {"DASH_APP_BACKGROUND": "celery", "DASH_APP_REDIS_URL": redis_url,
                        "DASH_APP_DATA_DIR": str(folder)}
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log = (folder / "server.log").open("w")
    processes = []
    try:
        if redis_url:
            processes.append(_start_worker(folder, environment, log))
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "dash_app", "--port", str(port), "--data-dir", str(folder), "--demo-rows", "2000"],
            cwd=REPO_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT))
        _wait_until_up(base, processes[-1])
        session = requests.Session()
        page = session.get(base + "training", timeout=30).text
        end_id = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page,
                                      re.S).group(1)).get("end_id")
        output = next(item["output"] for item in session.get(base + "_dash-dependencies", timeout=30).json()
                      if "train-start-alert" in item["output"])
        store = open_store(f"sqlite:///{folder / 'store.sqlite'}")
        try:
            start = lambda run_config: _run_through_page(session, base, end_id, output, store, run_config)  # noqa: E731
            first_progress_first_run, elapsed = start(config)
            short = TrainConfig(**{**config.to_json(), "epochs": 1})
            first_progress, _ = start(short)
        finally:
            store.dispose()
        return {"seconds": elapsed, "first_progress_s": first_progress,
                "first_progress_first_run_s": first_progress_first_run}
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def _run_through_page(session, base: str, end_id, output: str, store, config: TrainConfig) -> tuple[float, float]:
    """Press Start (over HTTP) and follow the run in the store: seconds to its first progress, and to its end."""
    started = time.perf_counter()
    reply = session.post(base + "_dash-update-component?" + urlencode({"endId": end_id}),
                         json=_start_body(output, config), timeout=60)
    found = re.search(r"Run #(\d+) queued", reply.text)
    if found is None:
        msg = f"Start did not queue a run: {reply.status_code} {reply.text[:300]}"
        raise RuntimeError(msg)
    run_id = int(found.group(1))
    first_store = None
    while (run := store.get(run_id)).is_active:
        if first_store is None and run.progress:
            first_store = time.perf_counter() - started
        time.sleep(0.01 if first_store is None else 0.05)
        if time.perf_counter() - started > 600:
            msg = "the app never finished the run"
            raise RuntimeError(msg)
    elapsed = time.perf_counter() - started
    if run.status != "succeeded":
        msg = f"the app's run ended {run.status}: {run.error}"
        raise RuntimeError(msg)
    return first_store or elapsed, elapsed


def _start_worker(folder: Path, environment: dict[str, str], log) -> subprocess.Popen:
    """A Celery worker for both queues, returned once it answers (it has imported torch by then)."""
    from dash_app.background import build_celery
    from dash_app.settings import load_settings

    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "dash_app.worker", "worker", "-Q",
                               "celery,training", "--loglevel", "warning", "--hostname", f"bench-{os.getpid()}@%h"],
                              cwd=REPO_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    control = build_celery(load_settings(data_dir=folder, background="celery",
                                         redis_url=environment["DASH_APP_REDIS_URL"])).control
    deadline = time.monotonic() + 120
    while not control.ping(timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            msg = "the Celery worker did not start"
            raise RuntimeError(msg)
    return worker


def _start_body(output: str, config: TrainConfig) -> dict:
    """The request the page sends when Start is pressed, with the config's values in the form's fields."""
    number_ids = [{"field": name, "type": "train-field"}
                  for name in ("epochs", "batch_size", "learning_rate", "hidden_size", "val_split", "seed")]
    choice_ids = [{"field": name, "type": "train-choice"} for name in ("dataset", "model", "optimizer")]
    numbers, choices = ([{"id": key, "property": "value", "value": getattr(config, key["field"])} for key in keys]
                        for keys in (number_ids, choice_ids))
    # The states in the order the callback declares them (callbacks/training_form.py): values, then their ids.
    ids_of = [[{"id": key, "property": "id", "value": key} for key in keys] for keys in (number_ids, choice_ids)]
    return {
        "output": output,
        "outputs": [{"id": "train-start-alert", "property": "children"}, {"id": "train-refresh", "property": "data"},
                    []],
        "inputs": [{"id": "train-start", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["train-start.n_clicks"],
        "state": [numbers, ids_of[0], choices, ids_of[1], [], {"id": "train-refresh", "property": "data", "value": 0}],
    }


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            msg = f"the app exited with {server.returncode}"
            raise RuntimeError(msg)
        try:
            requests.get(base, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    msg = "the app did not start"
    raise RuntimeError(msg)


def calibrated(target_s: float) -> TrainConfig:
    """The benchmark's config: about ``target_s`` seconds of bare training, within the app's epoch limit.

    An epoch's cost is the difference between 12 and 3 epochs, so loading the data is not counted in it.
    """
    config = TrainConfig(**{**BASE.to_json(), "epochs": 3, "features": ()})
    bare(config)  # warm-up: first-touch costs of torch and the data
    while True:
        short = bare(config)
        per_epoch = max((bare(TrainConfig(**{**config.to_json(), "epochs": 12})) - short) / 9, 1e-4)
        epochs = max(5, math.ceil(target_s / per_epoch))
        if epochs <= MAX_EPOCHS or config.batch_size == 1:
            return TrainConfig(**{**config.to_json(), "epochs": min(epochs, MAX_EPOCHS)})
        config = TrainConfig(**{**config.to_json(), "batch_size": max(1, config.batch_size // 4)})


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-s", type=float, default=TARGET_S, help="seconds of bare training to calibrate to")
    target_s = parser.parse_args().target_s
    config = calibrated(target_s)
    device = pick_device()
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else f"{torch.get_num_threads()} threads"
    print(f"digits, MLP, batch {config.batch_size}, {config.epochs} epochs (about {target_s:.0f} s bare), "
          f"torch {torch.__version__}, {device.type} ({where})")
    bare_s = bare(config)
    print(f"bare torch loop:                 {bare_s:7.2f} s")
    jobs_s, reports, job_device = through_jobs(config)
    print(f"jobs (reports + artifacts):      {jobs_s:7.2f} s  ({reports} progress reports, "
          f"{reports / jobs_s:.1f} per s)  ratio {jobs_s / bare_s:.3f}")
    figures = {"app_vs_bare": None, "first_progress_s": None, "first_progress_scaled_s": None}
    try:
        app = through_app(config)
    except (RuntimeError, OSError, requests.RequestException) as error:
        print(f"app: not measured: {error}")
    else:
        figures["app_vs_bare"], figures["first_progress_s"] = round(app["seconds"] / bare_s, 3), \
            round(app["first_progress_s"], 2)
        print(f"app (Start over HTTP, job process): {app['seconds']:7.2f} s  ratio {figures['app_vs_bare']:.3f}")
        print(f"Start to first progress in the store: {app['first_progress_s']:.2f} s (warm job process; "
              f"first run after the server started: {app['first_progress_first_run_s']:.2f} s; the page shows it "
              f"on its next poll, every {POLL_STARTING_MS / 1000:g} s while a run starts)")
    redis_url = os.environ.get("TEST_REDIS_URL") or os.environ.get("DASH_APP_REDIS_URL")
    if not redis_url:
        print("scaled mode: not measured: set TEST_REDIS_URL or DASH_APP_REDIS_URL")
    else:
        try:
            scaled = through_app(config, redis_url)
        except (RuntimeError, OSError, requests.RequestException) as error:
            print(f"scaled mode: not measured: {error}")
        else:
            figures["first_progress_scaled_s"] = round(scaled["first_progress_s"], 2)
            print(f"scaled mode (Celery worker): {scaled['seconds']:7.2f} s; Start to first progress "
                  f"{scaled['first_progress_s']:.2f} s (first run after the worker started: "
                  f"{scaled['first_progress_first_run_s']:.2f} s)")
    print(json.dumps({"benchmark": "training", "jobs_vs_bare": round(jobs_s / bare_s, 3), **figures,
                      "epochs": config.epochs, "batch_size": config.batch_size, "device": job_device}))

if __name__ == "__main__":
    main()
