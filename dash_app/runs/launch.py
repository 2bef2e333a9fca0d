"""Hand a queued run to the process that runs it: from the server, in the request that queued it.

Start writes the run to the store and launches it in the same request, so a run never depends on the
page that asked for it: a reload, a closed tab or a lost request after Start changes nothing. The job
process then waits for a slot in the store's queue, trains and records how the run ended
(dash_app/runs/executor.py). Two ways, chosen by settings (dash_app/background.py builds the one):

- :class:`ProcessLauncher` (diskcache, one machine): a new Python process per run. It is started with
  fork and exec, never a bare fork: the web server has threads, and a forked copy of it can inherit a
  lock another thread held at that moment and wait on it for ever.
- :class:`CeleryLauncher`: the run's task goes to the broker, and a worker runs it.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from dash_app.runs.store import PROCESS_DIED, RunStore


class LaunchError(RuntimeError):
    """The run could not be handed over; the message is for the user."""


class ProcessLauncher:
    """Run each run in ``python -m dash_app.runs.job``; a run whose process ends without ending it is interrupted."""

    def __init__(self, settings_json: str, store: Callable[[], RunStore]) -> None:
        self.settings_json, self.store = settings_json.encode(), store

    def launch(self, run_id: int) -> None:
        try:
            child = subprocess.Popen([sys.executable, "-m", "dash_app.runs.job", str(int(run_id))],
                                     stdin=subprocess.PIPE)
        except (OSError, subprocess.SubprocessError) as error:
            raise LaunchError(f"the job's process could not be started ({error.__class__.__name__})") from None
        threading.Thread(target=self._watch, args=(child, run_id), name=f"run-{run_id}-watch", daemon=True).start()
        try:
            with child.stdin:  # a few kB: fits the pipe's buffer, so this never waits for the job
                child.stdin.write(self.settings_json)
        except OSError:  # the process ended at once; its watcher ends the run
            pass

    def _watch(self, child: subprocess.Popen, run_id: int) -> None:
        """Reap the job's process and make sure its run has ended (a crash at start must not block the queue)."""
        child.wait()
        self.store().mark_interrupted([run_id], reason=PROCESS_DIED)


class CeleryLauncher:
    """Send the run's task to the broker; any worker with a free process takes it."""

    def __init__(self, task: Any) -> None:
        self.task = task

    def launch(self, run_id: int) -> None:
        try:
            self.task.apply_async(args=[int(run_id)], retry=False)
        except Exception as error:  # noqa: BLE001 - kombu raises several kinds; each means the same to the user
            raise LaunchError(f"the job queue does not answer ({error.__class__.__name__})") from None
