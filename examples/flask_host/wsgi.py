"""The host example under gunicorn, as README.md "Deploy" runs the product with a login:

    FLASK_HOST_SECRET_KEY=... gunicorn -c python:dash_app.gunicorn_conf -w 4 'examples.flask_host.wsgi:application'

The host's own configuration, not the product's: its users in ``FLASK_HOST_INSTANCE`` (default
``data/flask_host``, as ``python -m examples.flask_host``), and the key that signs its sessions in
``FLASK_HOST_SECRET_KEY``, required here: every worker must accept the sessions the others signed. The
product's settings come from the DASH_APP_* variables (its data in DASH_APP_DATA_DIR, shared by all workers).
"""

from __future__ import annotations

import os
from pathlib import Path

from examples.flask_host.app import create_host_app


def _application():
    key = os.environ.get("FLASK_HOST_SECRET_KEY")
    if not key:
        raise SystemExit("examples.flask_host.wsgi: set FLASK_HOST_SECRET_KEY, the same for every worker "
                         "(sessions signed by one must be valid on the others)")
    return create_host_app(Path(os.environ.get("FLASK_HOST_INSTANCE", "data/flask_host")), secret_key=key)


application = _application()
