"""The host Flask application. Mounting Workbench is the few lines in ``mount_workbench``."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from examples.flask_host.users import UserStore

PREFIX = "/dashboard/"


def create_host_app(instance_dir: Path, secret_key: str | None = None, settings=None) -> Flask:
    """Build the host: its own pages, its own login, and Workbench under /dashboard/.

    ``settings`` are Workbench's; by default its data lives in ``instance_dir/workbench``.
    """
    server = Flask(__name__)
    server.config["SECRET_KEY"] = secret_key or secrets.token_hex(32)
    users = UserStore(Path(instance_dir) / "users.sqlite")
    server.extensions["users"] = users

    login_manager = LoginManager(server)
    login_manager.login_view = "login"
    login_manager.user_loader(users.by_id)

    _add_host_routes(server, users)
    mount_workbench(server, settings or workbench_settings(instance_dir))
    return server


def workbench_settings(instance_dir: Path):
    """Workbench's settings for this host: its prefix, and its data in DASH_APP_DATA_DIR where that is set (a
    deployment's shared folder, README.md "Deploy"), else in a folder inside the host's instance."""
    from dash_app.settings import load_settings

    settings = load_settings(url_prefix=PREFIX)
    if "data_dir" in settings.model_fields_set:
        return settings
    return load_settings(url_prefix=PREFIX, data_dir=Path(instance_dir) / "workbench")


def mount_workbench(server: Flask, settings) -> None:
    """Mount the product: with Flask-Login on the host, its login guards every product route."""
    from dash_app import init_app

    init_app(server, settings)


def _add_host_routes(server: Flask, users: UserStore) -> None:
    @server.get("/")
    def index():
        return render_template("index.html", prefix=PREFIX)

    @server.get("/account")
    @login_required
    def account():
        return render_template("account.html", prefix=PREFIX)

    @server.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "POST":
            user = users.check(request.form.get("username", ""), request.form.get("password", ""))
            if user is not None:
                login_user(user)
                return redirect(_safe_next(request.args.get("next")))
            flash("Wrong username or password.")
        return render_template("login.html"), 200 if request.method == "GET" else 401

    @server.post("/logout")
    def logout():
        logout_user()
        return redirect(url_for("index"))

    server.jinja_env.globals["current_user"] = current_user


def _safe_next(target: str | None) -> str:
    """Follow ``next`` only to a path on this site (no open redirect)."""
    if not target:
        return PREFIX
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return PREFIX
    return target
