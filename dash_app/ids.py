"""Every component id of the product, grouped by page and prefixed by it.

One module so that a layout and the callbacks that use it cannot drift apart, and so that two pages
never claim the same id. Pattern-matching ids come from small functions below their page's block.
"""

# Shell: navbar, colour mode and app-level stores that outlive a page change.
SHELL_LOCATION = "shell-location"
SHELL_NAVBAR = "shell-navbar"
SHELL_NAV_TOGGLER = "shell-nav-toggler"
SHELL_NAV_COLLAPSE = "shell-nav-collapse"
SHELL_NAV_LINKS = "shell-nav-links"
SHELL_USER = "shell-user"
SHELL_COLOR_MODE_SWITCH = "shell-color-mode-switch"
SHELL_COLOR_MODE_STORE = "shell-color-mode"
SHELL_JOB_STORE = "shell-job-state"
SHELL_MAIN = "shell-main"


def shell_nav_link(page_module: str) -> dict[str, str]:
    """Id of the navbar link of one registered page."""
    return {"type": "shell-nav-link", "page": page_module}


# Home
HOME_HERO = "home-hero"


def home_card(page_module: str) -> dict[str, str]:
    """Id of the home page card that introduces one job."""
    return {"type": "home-card", "page": page_module}


# ---------------------------------------------------------------------------------------------------
# Data page (prefix "data-")
DATA_PAGE = "data-page"

# end of the Data page's ids
# ---------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------
# Training page and run pages (prefix "train-")
TRAIN_PAGE = "train-page"
TRAIN_FORM = "train-form"
TRAIN_START = "train-start"
TRAIN_START_ALERT = "train-start-alert"
TRAIN_REFRESH = "train-refresh"
TRAIN_SPIRALS_FIELDS = "train-spirals-fields"
TRAIN_TABLE_FIELDS = "train-table-fields"
TRAIN_LAUNCHERS = "train-launchers"
TRAIN_POLL = "train-poll"
TRAIN_ACTIVE = "train-active"
TRAIN_LIVE_GRAPH = "train-live-graph"
TRAIN_LIVE_TITLE = "train-live-title"
TRAIN_RUNS_GRID = "train-runs-grid"
TRAIN_RUNS_SIGNATURE = "train-runs-signature"
TRAIN_COMPARE_LINK = "train-compare-link"
TRAIN_CANCEL_ALERT = "train-cancel-alert"
TRAIN_RUN_PAGE = "train-run-page"
TRAIN_RUN_ID = "train-run-id"
TRAIN_RUN_POLL = "train-run-poll"
TRAIN_RUN_STATUS = "train-run-status"
TRAIN_RUN_PROGRESS = "train-run-progress"
TRAIN_RUN_GRAPH = "train-run-graph"
TRAIN_RUN_ARTIFACTS = "train-run-artifacts"
TRAIN_RUN_ALERT = "train-run-alert"
TRAIN_COMPARE_PAGE = "train-compare-page"
TRAIN_COMPARE_IDS = "train-compare-ids"
TRAIN_COMPARE_GRAPH = "train-compare-graph"
TRAIN_COMPARE_CONFIG = "train-compare-config"
TRAIN_COMPARE_ARTIFACTS = "train-compare-artifacts"
TRAIN_COMPARE_ALERT = "train-compare-alert"


def train_field(name: str) -> dict[str, str]:
    """Id of one number input on the Training form (its name is the config field)."""
    return {"type": "train-field", "field": name}


def train_choice(name: str) -> dict[str, str]:
    """Id of one choice (radio, select, dropdown) on the Training form (its name is the config field)."""
    return {"type": "train-choice", "field": name}


def train_field_feedback(name: str) -> dict[str, str]:
    """Id of the inline message under one number field (checked as the user types)."""
    return {"type": "train-field-feedback", "field": name}


def train_choice_feedback(name: str) -> dict[str, str]:
    """Id of the inline message under one choice (checked when Start is pressed)."""
    return {"type": "train-choice-feedback", "field": name}


def train_launcher(slot) -> dict[str, object]:
    """Id of one launcher slot: Start puts a run id in it and its background callback runs that run."""
    return {"type": "train-launcher", "slot": slot}


def train_launcher_result(slot) -> dict[str, object]:
    """Id of the store that receives the final status of the run launched from one slot."""
    return {"type": "train-launcher-result", "slot": slot}


def train_launcher_progress(slot) -> dict[str, object]:
    """Id of the store that receives progress (through set_props) of the run launched from one slot."""
    return {"type": "train-launcher-progress", "slot": slot}


def train_cancel(run_id: int) -> dict[str, object]:
    """Id of the Cancel button of one run in the Training page's live list."""
    return {"type": "train-cancel", "run": run_id}


def train_active_card(run_id: int) -> dict[str, object]:
    """Id of one active run's card in the Training page's live list."""
    return {"type": "train-active-card", "run": run_id}


def train_active_body(run_id: int) -> dict[str, object]:
    """Id of the progress part of one active run's card (refreshed every second; the card stays)."""
    return {"type": "train-active-body", "run": run_id}


def train_run_cancel(run_id: int) -> dict[str, object]:
    """Id of the Cancel button on a run's own page."""
    return {"type": "train-run-cancel", "run": run_id}


# end of the Training page's ids
# ---------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------
# Compose page (prefix "compose-")
COMPOSE_PAGE = "compose-page"

# end of the Compose page's ids
# ---------------------------------------------------------------------------------------------------


# Not found
NOT_FOUND_PAGE = "not-found-page"
