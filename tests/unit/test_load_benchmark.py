"""benchmarks/load.py in small: two users for a few seconds on a small demo table, app and bare route."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_load(*args: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DASH_APP_")}
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load.py"), *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=240, check=False)


def last_json_line(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_default_mode_ends_with_one_json_line_and_no_errors():
    result = last_json_line(run_load("--mode", "default", "--users", "2", "--seconds", "3", "--warmup", "1", "--rounds", "1",
                                     "--rows", "1000"))
    assert result["benchmark"] == "load" and result["mode"] == "default" and result["users"] == 2
    assert result["errors"] == 0 and result["bare_errors"] == 0
    assert result["app_rps"] > 0 and result["bare_rps"] > 0
    assert result["throughput_vs_bare"] > 0
    assert 0 < result["p95_ms"] and result["workers_2_vs_1"] is None


def test_scaled_mode_without_its_services_is_skipped_with_one_line():
    result = run_load("--mode", "scaled")
    assert result.stdout.splitlines()[0].startswith("scaled mode skipped: set DASH_APP_REDIS_URL")
    assert last_json_line(result) == {"benchmark": "load", "mode": "scaled", "users": 200,
                                      "skipped": "no Redis or store URL"}
