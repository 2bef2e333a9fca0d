"""bin/audit-deps: fails on a known vulnerability, says in one line when nothing could be audited."""

from __future__ import annotations

from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def audit():
    loader = SourceFileLoader("audit_deps", str(ROOT / "bin" / "audit-deps"))
    module = module_from_spec(spec_from_loader("audit_deps", loader))
    loader.exec_module(module)
    return module


def test_a_known_vulnerability_fails_with_its_id_and_fix(audit):
    report = {"dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "pillow", "version": "13.0.0", "vulns": [{"id": "GHSA-xxxx", "fix_versions": ["13.0.1"]}]},
    ], "fixes": []}
    status, lines = audit.summary(report)
    assert status == 1
    assert "pip-audit: pillow 13.0.0: GHSA-xxxx (fixed in 13.0.1)" in lines
    assert lines[-1] == "pip-audit: 2 pins audited, 1 known vulnerabilities"


def test_clean_pins_pass_and_say_what_could_not_be_looked_up(audit):
    report = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []},
                               {"name": "torch", "skip_reason": "Dependency not found on PyPI"}]}
    status, lines = audit.summary(report)
    assert status == 0
    assert lines == ["pip-audit: 1 pins could not be looked up: torch",
                     "pip-audit: 1 pins audited, 0 known vulnerabilities"]


def test_nothing_looked_up_is_one_line_and_no_failure(audit):
    report = {"dependencies": [{"name": "flask", "skip_reason": "Dependency not found on PyPI"},
                               {"name": "pillow", "skip_reason": "Dependency not found on PyPI"}]}
    status, lines = audit.summary(report)
    assert status == 0
    assert len(lines) == 1 and lines[0].startswith(audit.SKIPPED) and "cannot be reached" in lines[0]


def test_unreachable_data_is_one_line_and_exit_0(audit, monkeypatch, capsys):
    monkeypatch.setattr(audit, "data_reachable", lambda constraints: "https://pypi.org did not answer (URLError)")
    assert audit.main(["audit-deps", str(ROOT / "constraints.txt")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith(audit.SKIPPED) and "cannot be reached" in out[0]


def test_pip_audit_and_its_dependencies_are_pinned(audit):
    constraints = ROOT / "constraints.txt"
    assert audit.pinned_version(constraints, "pip-audit")
    assert audit.pinned_version(constraints, "cyclonedx-python-lib")
