"""What the Data page's callback modules share: the page's clientside namespace.

The user's errors and how they are shown are the page's views (dash_app/components/data.py: ``USER_ERRORS``,
``problem_alert``), which the layout uses too.
"""

from __future__ import annotations

NAMESPACE = "data"  # the page's clientside functions, in assets/js/data.js
