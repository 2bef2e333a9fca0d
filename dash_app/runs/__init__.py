"""Training runs: the run store (SQLAlchemy) with configs, statuses, metrics and artifacts. No Dash, no Flask."""
