"""``python -m dash_app``: run the product on one machine, on its demo data unless configured otherwise."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from dash_app.settings import Settings, SettingsError, load_settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
SERVER_THREADS = 8


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line; every option overrides its DASH_APP_* variable."""
    parser = argparse.ArgumentParser(
        prog="python -m dash_app",
        description="Run Workbench: browse data, train models and compose images in the browser.",
        epilog="Other settings come from DASH_APP_* environment variables (see README.md).",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--data-dir", help="directory for runs, artifacts, cache, uploads and the demo database")
    parser.add_argument(
        "--demo-rows", type=int,
        help="order-line rows of the demo database (default 1000000); a different size rebuilds it",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Check the settings, prepare the demo data, and serve the app until interrupted."""
    args = parse_args(argv)
    overrides = {"data_dir": args.data_dir, "demo_rows": args.demo_rows}
    try:
        settings = load_settings(**{key: value for key, value in overrides.items() if value is not None})
    except SettingsError as error:
        print(f"dash_app: {error}", file=sys.stderr)
        return 2
    from dash_app import logs, startup

    logs.configure_default(settings.log_format)
    try:
        startup.prepare(settings, log=_log)
    except startup.StartupError as error:
        print(f"dash_app: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl+C during the first demo build: nothing half-built is left
        print(file=sys.stderr)
        _log("stopped before the app started")
        return 130
    return serve(settings, args.host, args.port)


def serve(settings: Settings, host: str, port: int) -> int:
    """Serve the standalone app with waitress until Ctrl+C."""
    from waitress.server import create_server

    from dash_app import create_app
    from dash_app.workbench import get_workbench

    app = create_app(settings)
    try:
        server = create_server(app.server, host=host, port=port, threads=SERVER_THREADS, ident=None)
    except OSError as error:
        print(f"dash_app: cannot listen on {host}:{port}: {error.strerror}", file=sys.stderr)
        return 2
    from dash_app import startup

    startup.resume_queue(app.server)  # runs left queued by the previous server start as slots free
    _log(f"{settings.title} is running at http://{host}:{port}{settings.url_prefix} (press Ctrl+C to stop)")
    launcher = get_workbench(app.server).launcher
    launcher.prepare()  # a warm job process for the first run (dash_app/runs/launch.py)
    try:
        server.run()
    except KeyboardInterrupt:
        _log("stopped")
    finally:
        server.close()
        launcher.close()
    return 0


def _log(message: str, *, end: str = "\n") -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", end=end, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
