"""Find and kill job processes by the reference the store keeps (host, pid, start time).

Only the machine a job runs on can kill it, and a pid is trusted only while the process holding it
started when the job did: pids are reused, and killing a stranger is worse than not killing.
"""

from __future__ import annotations

import socket

import psutil

from dash_app.runs.store import ProcessRef

START_TIME_TOLERANCE_S = 0.5
KILL_WAIT_S = 1.0


def is_local(process: ProcessRef) -> bool:
    """Whether the process runs on this machine."""
    return process.host == socket.gethostname()


def reference(pid: int) -> ProcessRef | None:
    """The reference of a local process by its pid (None if it has already gone)."""
    try:
        return ProcessRef(socket.gethostname(), pid, psutil.Process(pid).create_time())
    except psutil.NoSuchProcess:
        return None


def find(process: ProcessRef) -> psutil.Process | None:
    """The live local process the reference names, or None (gone, elsewhere, or a reused pid)."""
    if not is_local(process):
        return None
    try:
        found = psutil.Process(process.pid)
        if abs(found.create_time() - process.started) > START_TIME_TOLERANCE_S:
            return None
        if found.status() == psutil.STATUS_ZOMBIE:  # ended; its parent (the launcher's watcher) reaps it
            return None
    except psutil.NoSuchProcess:
        return None
    return found


def is_alive(process: ProcessRef) -> bool:
    return find(process) is not None


def is_orphaned(process: ProcessRef) -> bool:
    """Whether the live local process has lost the process that started it (a web process that died).

    A job of the diskcache mode is started by a web process with that process' own Python
    (dash_app/runs/launch.py); once that parent is gone the job is adopted by another process (init, or a
    "subreaper" such as a service manager), which is not the same program or started after it.
    """
    found = find(process)
    if found is None:
        return False
    try:
        parent = found.parent()
        if parent is None or parent.pid == 1:
            return True
        return parent.create_time() > found.create_time() or parent.exe() != found.exe()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return True


def kill(process: ProcessRef) -> bool:
    """Kill the process and its children (children first, so none is orphaned); True if it was running."""
    found = find(process)
    if found is None:
        return False
    try:
        children = found.children(recursive=True)
    except psutil.NoSuchProcess:
        return False
    for victim in [*children, found]:
        try:
            victim.kill()
        except psutil.NoSuchProcess:  # ended on its own meanwhile: the goal is reached
            pass
    psutil.wait_procs([*children, found], timeout=KILL_WAIT_S)
    return True

