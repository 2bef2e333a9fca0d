"""What the Data page's callback modules share: the page's clientside namespace, the user's errors and how
they are shown (defined with the page's views in dash_app/components/data.py, which the layout uses too)."""

from __future__ import annotations

from dash_app.components.data import USER_ERRORS, problem_alert, problem_color

NAMESPACE = "data"  # the page's clientside functions, in assets/js/data.js

__all__ = ["NAMESPACE", "USER_ERRORS", "problem_alert", "problem_color"]
