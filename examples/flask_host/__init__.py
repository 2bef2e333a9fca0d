"""A small but real host application: its own pages and a Flask-Login login, with Workbench mounted."""

from examples.flask_host.app import create_host_app

__all__ = ["create_host_app"]
