"""Installed into a host, the product adds only ``dash_app`` to site-packages and never shadows the host's modules."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

HOST_CHECK = textwrap.dedent(
    """
    import dash, pages, callbacks
    assert pages.OWNER == "host" and callbacks.OWNER == "host"
    import dash_app
    from dash_app import create_app
    from dash_app.settings import load_settings
    create_app(load_settings(data_dir="workbench-data"))
    import pages, callbacks
    assert pages.OWNER == "host", "the product replaced the host's pages module"
    assert callbacks.OWNER == "host", "the product replaced the host's callbacks module"
    assert sorted(dash.page_registry)[0].startswith("dash_app.pages."), sorted(dash.page_registry)
    print("dash_app from", dash_app.__file__)
    """
)


@pytest.fixture(scope="module")
def installed_site(tmp_path_factory) -> Path:
    """The product built as a wheel and installed (without dependencies) into an empty folder."""
    root = tmp_path_factory.mktemp("install")
    wheels, site = root / "wheels", root / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(REPO_ROOT)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(wheels.glob("*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    return site


def test_only_dash_app_is_added_to_site_packages(installed_site):
    top_level = {path.name for path in installed_site.iterdir() if not path.name.endswith(".dist-info")}
    assert top_level - {"bin"} == {"dash_app"}


@pytest.mark.parametrize(
    "packaged_file",
    ["pages/home.py", "callbacks/shell.py", "jobs/__init__.py", "assets/css/app.css", "assets/js/shell.js",
     "assets/vendor/bootstrap/bootstrap.min.css", "assets/vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
     "compose/fonts/Inter-Regular.otf", "compose/fonts/NotoSerif-Bold.ttf", "compose/fonts/Inter-OFL.txt"],
)
def test_the_folders_of_the_repository_are_installed_under_dash_app(installed_site, packaged_file):
    assert (installed_site / "dash_app" / packaged_file).is_file()


def test_every_module_of_the_repository_is_installed(installed_site):
    mapped = {"dash_app": "dash_app", "pages": "dash_app/pages", "callbacks": "dash_app/callbacks",
              "jobs": "dash_app/jobs", "assets": "dash_app/assets"}
    missing = [
        f"{folder}/{module.relative_to(REPO_ROOT / folder)}"
        for folder, target in mapped.items()
        for module in (REPO_ROOT / folder).rglob("*.py")
        if "__pycache__" not in module.parts
        and not (installed_site / target / module.relative_to(REPO_ROOT / folder)).is_file()
    ]
    assert missing == []


def test_a_host_with_its_own_pages_module_keeps_it(installed_site, tmp_path):
    (tmp_path / "pages.py").write_text('OWNER = "host"\n')
    (tmp_path / "callbacks.py").write_text('OWNER = "host"\n')
    environment = os.environ | {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(installed_site)])}
    result = subprocess.run([sys.executable, "-c", HOST_CHECK], cwd=tmp_path, env=environment,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert str(installed_site) in result.stdout, "the installed copy was tested, not the repository"
