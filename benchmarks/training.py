"""Training benchmark: one digits training three ways, timed in one run.

1. bare: a plain PyTorch loop written here (same data split, model, optimizer, batches and per-epoch
   validation as the job), no reporting, no artifacts;
2. jobs: ``dash_app.jobs.train.train`` with progress reported into a real run store (the adapter the
   app uses), then the artifacts written;
3. app: ``python -m dash_app`` in a subprocess; the run is queued in its store, then its background
   callback is called over HTTP (POST /_dash-update-component, as the page's launcher does) and polled
   the way dash-renderer polls until the job's result comes back.

Epochs are calibrated so the bare loop takes about TARGET_S seconds. Prints figures and ratios, and
ends with one JSON line. Run from the repository root: ``.venv/bin/python benchmarks/training.py``.
"""

from __future__ import annotations

import json
import math
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

from dash_app.jobs.artifacts import write_artifacts  # noqa: E402
from dash_app.jobs.config import TrainConfig  # noqa: E402
from dash_app.jobs.datasets import load_dataset  # noqa: E402
from dash_app.jobs.models import build_model, build_optimizer  # noqa: E402
from dash_app.jobs.train import train  # noqa: E402
from dash_app.runs.executor import StoreReporter  # noqa: E402
from dash_app.runs.store import current_process, open_store  # noqa: E402

DATA = REPO_ROOT / "benchmarks" / ".data" / "training"
TARGET_S = 20.0
BASE = TrainConfig(dataset="digits", model="mlp", batch_size=32, hidden_size=128, learning_rate=0.001, seed=0)


def bare(config: TrainConfig) -> float:
    """The plain loop: seconds from loading the data to the last epoch's validation."""
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    data = load_dataset(config)
    x_train, y_train = torch.from_numpy(data.x_train), torch.from_numpy(data.y_train)
    x_val, y_val = torch.from_numpy(data.x_val), torch.from_numpy(data.y_val)
    model = build_model(config, 64, 10)
    optimizer = build_optimizer(config, model)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(config.seed)
    for _epoch in range(config.epochs):
        model.train()
        order = torch.randperm(len(x_train), generator=generator)
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


def through_jobs(config: TrainConfig) -> tuple[float, int]:
    """jobs.train with reports into a real store, then artifacts; seconds and reports made."""
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
    result = train(config, report=report, should_stop=reporter.should_stop)
    write_artifacts(result, folder / "artifacts")
    elapsed = time.perf_counter() - started
    store.dispose()
    return elapsed, reports


def through_app(config: TrainConfig) -> tuple[float, float, float]:
    """The whole path through the running app: (seconds to the result, to the first progress in the store,
    to the first progress the polling browser receives)."""
    folder = DATA / "app"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log = (folder / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "dash_app", "--port", str(port), "--data-dir", str(folder),
                               "--demo-rows", "2000"], cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(base, server)
        session = requests.Session()
        page = session.get(base + "training", timeout=30).text
        end_id = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page,
                                      re.S).group(1)).get("end_id")
        output = next(item["output"] for item in session.get(base + "_dash-dependencies", timeout=30).json()
                      if "train-launcher-result" in item["output"])
        store = open_store(f"sqlite:///{folder / 'store.sqlite'}")
        run_id = store.create_run(config.to_json(), config.summary(), user="benchmark", backend="diskcache")
        launcher = {"slot": 0, "type": "train-launcher"}
        body = {
            "output": output,
            "outputs": {"id": {"slot": 0, "type": "train-launcher-result"}, "property": "data"},
            "inputs": [{"id": launcher, "property": "data", "value": run_id}],
            "changedPropIds": [json.dumps(launcher, separators=(",", ":")) + ".data"],
            "state": [],
        }
        started = time.perf_counter()
        first_store = first_poll = None
        reply = session.post(base + "_dash-update-component?" + urlencode({"endId": end_id}), json=body, timeout=60)
        handles = reply.json()
        query = urlencode({"endId": end_id, "cacheKey": handles["cacheKey"], "job": handles["job"]})
        while True:
            time.sleep(0.1)  # the browser polls every second; faster here only to time the end closely
            poll = session.post(base + "_dash-update-component?" + query, json=body, timeout=60)
            now = time.perf_counter() - started
            data = poll.json() if poll.content else {}
            if first_poll is None and data.get("sideUpdate"):
                first_poll = now
            if first_store is None and (run := store.get(run_id)).progress:
                first_store = now
            if "response" in data:
                elapsed = now
                break
            if time.perf_counter() - started > 600:
                msg = "the app never finished the run"
                raise RuntimeError(msg)
        status = store.get(run_id).status
        store.dispose()
        if status != "succeeded":
            msg = f"the app's run ended {status}: {store.get(run_id).error}"
            raise RuntimeError(msg)
        return elapsed, first_store or elapsed, first_poll or elapsed
    finally:
        server.terminate()
        server.wait(30)
        log.close()


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


def main() -> None:
    warm = TrainConfig(**{**BASE.to_json(), "epochs": 3, "features": ()})
    bare(warm)  # warm-up: first-touch costs of torch and the data
    per_epoch = bare(warm) / 3
    epochs = max(5, math.ceil(TARGET_S / per_epoch))
    config = TrainConfig(**{**BASE.to_json(), "epochs": epochs, "features": ()})
    print(f"digits, MLP, batch {config.batch_size}, {epochs} epochs (about {TARGET_S:.0f} s bare), "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    bare_s = bare(config)
    print(f"bare torch loop:                 {bare_s:7.2f} s")
    jobs_s, reports = through_jobs(config)
    print(f"jobs (reports + artifacts):      {jobs_s:7.2f} s  ({reports} progress reports, "
          f"{reports / jobs_s:.1f} per s)  ratio {jobs_s / bare_s:.3f}")
    app_s, first_store_s, first_poll_s = through_app(config)
    print(f"app (HTTP background callback):  {app_s:7.2f} s  ratio {app_s / bare_s:.3f}")
    print(f"Start to first progress: {first_store_s:.2f} s in the store (the page shows it on its next 1 s poll), "
          f"{first_poll_s:.2f} s to the launching browser's poll")
    print(json.dumps({"benchmark": "training", "jobs_vs_bare": round(jobs_s / bare_s, 3),
                      "app_vs_bare": round(app_s / bare_s, 3), "first_progress_s": round(first_store_s, 2)}))


if __name__ == "__main__":
    main()
