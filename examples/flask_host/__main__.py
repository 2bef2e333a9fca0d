"""Run the host example: ``python -m examples.flask_host add-user NAME [--role admin]`` then ``... serve``."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from examples.flask_host.app import create_host_app, workbench_settings
from examples.flask_host.users import UserStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.flask_host")
    parser.add_argument("--instance", default="data/flask_host", help="folder of the host's users and Workbench data")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-user", help="create a user (or reset its password)")
    add.add_argument("username")
    add.add_argument("--name", help="display name (default: the username)")
    add.add_argument("--password", help="password (default: asked for)")
    add.add_argument("--role", action="append", default=[], dest="roles",
                     help="a role of the user, e.g. admin (may be given more than once)")
    serve = commands.add_parser("serve", help="run the host with Workbench under /dashboard/")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)

    instance = Path(args.instance)
    if args.command == "add-user":
        password = args.password or getpass.getpass(f"Password for {args.username}: ")
        UserStore(instance / "users.sqlite").add(args.username, password, args.name, tuple(args.roles))
        print(f"user {args.username!r} saved in {instance / 'users.sqlite'}")
        return 0

    import waitress

    from dash_app import startup

    settings = workbench_settings(instance)
    startup.prepare(settings, log=lambda message: print(message, file=sys.stderr))  # demo data, checks
    # The host's own configuration (not the product's): a fixed key keeps sessions across restarts.
    server = create_host_app(instance, secret_key=os.environ.get("FLASK_HOST_SECRET_KEY"), settings=settings)
    print(f"Workbench is mounted at http://{args.host}:{args.port}/dashboard/", file=sys.stderr)
    waitress.serve(server, host=args.host, port=args.port, threads=8)  # prints "Serving on ..."
    return 0


if __name__ == "__main__":
    sys.exit(main())
