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
DATA_VIEW = "data-view"
DATA_ALERT = "data-alert"
DATA_DB_MENU = "data-db-menu"
DATA_TABLE_SEARCH = "data-table-search"
DATA_TABLE_LIST = "data-table-list"
DATA_TITLE = "data-title"
DATA_COUNT = "data-count"
DATA_SEARCH = "data-search"
DATA_COLUMNS_BUTTON = "data-columns-button"
DATA_COLUMNS_POPOVER = "data-columns-popover"
DATA_COLUMNS_CHECKLIST = "data-columns-checklist"
DATA_EXPORT_CSV = "data-export-csv"
DATA_EXPORT_XLSX = "data-export-xlsx"
DATA_EXPORT_NOTE = "data-export-note"
DATA_CHIPS = "data-chips"
DATA_TABS = "data-tabs"
DATA_GRID = "data-grid"
DATA_GRID_NOTE = "data-grid-note"
DATA_EDIT_NOTE = "data-edit-note"
DATA_REFRESH = "data-refresh"
DATA_PURGED = "data-purged"
DATA_URL_SYNC = "data-url-sync"
DATA_COLUMNS_APPLIED = "data-columns-applied"
DATA_VALUES_STORE = "data-values-store"
DATA_VALUES_COLUMN = "data-values-column"
DATA_VALUES_LIST = "data-values-list"
DATA_VALUES_NOTE = "data-values-note"
DATA_CHART_X = "data-chart-x"
DATA_CHART_Y = "data-chart-y"
DATA_CHART_AGG = "data-chart-agg"
DATA_CHART_BUCKET = "data-chart-bucket"
DATA_CHART_RUN = "data-chart-run"
DATA_CHART_CANCEL = "data-chart-cancel"
DATA_CHART_GRAPH = "data-chart-graph"
DATA_CHART_BOX = "data-chart-box"
DATA_CHART_STATUS = "data-chart-status"
DATA_CHART_PROGRESS = "data-chart-progress"
DATA_CHART_CLOCK = "data-chart-clock"
DATA_CHART_ELAPSED = "data-chart-elapsed"
DATA_CHART_WORKING = "data-chart-working"
DATA_CHART_CANCELLING = "data-chart-cancelling"
DATA_CHART_STOP = "data-chart-stop"
DATA_SCHEMA = "data-schema"
DATA_SIDE_PANEL = "data-side-panel"
DATA_PANEL_HIDE = "data-panel-hide"
DATA_PANEL_SHOW = "data-panel-show"
DATA_PANEL_STORE = "data-panel-store"
DATA_DENSITY_TOGGLE = "data-density-toggle"
DATA_DENSITY_STORE = "data-density-store"


def data_chip(column: str) -> dict[str, str]:
    """Id of the remove button of one column's ticked-values chip."""
    return {"type": "data-chip", "column": column}

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
TRAIN_POLL = "train-poll"
TRAIN_ACTIVE = "train-active"
TRAIN_LIVE_GRAPH = "train-live-graph"
TRAIN_LIVE_TITLE = "train-live-title"
TRAIN_RUNS_GRID = "train-runs-grid"
TRAIN_RUNS_SIGNATURE = "train-runs-signature"
TRAIN_COMPARE_LINK = "train-compare-link"
TRAIN_CANCEL_ALERT = "train-cancel-alert"
TRAIN_CANCEL_REQUEST = "train-cancel-request"
TRAIN_RUN_PAGE = "train-run-page"
TRAIN_RUN_ID = "train-run-id"
TRAIN_RUN_POLL = "train-run-poll"
TRAIN_RUN_STATUS = "train-run-status"
TRAIN_RUN_PROGRESS = "train-run-progress"
TRAIN_RUN_BODY = "train-run-body"
TRAIN_RUN_GRAPH = "train-run-graph"
TRAIN_RUN_ARTIFACTS = "train-run-artifacts"
TRAIN_RUN_ALERT = "train-run-alert"
TRAIN_RUN_CANCEL_REQUEST = "train-run-cancel-request"
TRAIN_COMPARE_PAGE = "train-compare-page"
TRAIN_COMPARE_IDS = "train-compare-ids"
TRAIN_COMPARE_GRAPH = "train-compare-graph"
TRAIN_COMPARE_GRAPH_FRAME = "train-compare-graph-frame"  # wider than a phone for three panels
TRAIN_COMPARE_CONFIG = "train-compare-config"
TRAIN_COMPARE_ARTIFACTS = "train-compare-artifacts"
TRAIN_COMPARE_ALERT = "train-compare-alert"
TRAIN_COMPARE_PANELS = "train-compare-panels"  # the curves and settings cards, shown when comparing


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


def train_run_resume(run_id: int) -> dict[str, object]:
    """Id of the Resume button on the page of a cancelled or interrupted run."""
    return {"type": "train-run-resume", "run": run_id}


# end of the Training page's ids
# ---------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------
# Compose page (prefix "compose-")
COMPOSE_PAGE = "compose-page"
COMPOSE_SCENE = "compose-scene"  # dcc.Store: the scene as plain JSON
COMPOSE_HISTORY = "compose-history"  # dcc.Store: undo/redo snapshots
COMPOSE_SELECTED = "compose-selected"  # dcc.Store: id of the selected layer (a list of ids when several are)
COMPOSE_EXPORT_STATE = "compose-export-state"  # dcc.Store written by the clientside export
COMPOSE_ALERTS = "compose-alerts"
COMPOSE_KEYS = "compose-keys"  # dash_extensions.Keyboard around the stage
COMPOSE_EVENTS = "compose-events"  # dash_extensions.EventListener around the workspace
COMPOSE_WORKSPACE = "compose-workspace"
COMPOSE_STAGE = "compose-stage"
COMPOSE_CANVAS = "compose-canvas"
COMPOSE_PHOTO_BUTTON = "compose-photo-button"
COMPOSE_ADD_BUTTON = "compose-add"
COMPOSE_UNDO = "compose-undo"
COMPOSE_REDO = "compose-redo"
COMPOSE_FORMAT = "compose-format"
COMPOSE_EXPORT = "compose-export"
COMPOSE_LAYER_LIST = "compose-layer-list"
COMPOSE_LAYER_COUNT = "compose-layer-count"
COMPOSE_LAYER_PANEL = "compose-layer-panel"
COMPOSE_LAYER_EMPTY = "compose-layer-empty"
COMPOSE_X = "compose-x"
COMPOSE_Y = "compose-y"
COMPOSE_SCALE = "compose-scale"
COMPOSE_ROTATION = "compose-rotation"
COMPOSE_OPACITY = "compose-opacity"
COMPOSE_FLIP_X = "compose-flip-x"
COMPOSE_FLIP_Y = "compose-flip-y"
COMPOSE_FORWARD = "compose-forward"
COMPOSE_BACKWARD = "compose-backward"
COMPOSE_DUPLICATE = "compose-duplicate"
COMPOSE_DELETE = "compose-delete"
COMPOSE_PRESET = "compose-preset"
COMPOSE_WIDTH = "compose-width"
COMPOSE_HEIGHT = "compose-height"
COMPOSE_BG_KIND = "compose-bg-kind"
COMPOSE_COLOR_1 = "compose-color-1"
COMPOSE_COLOR_2 = "compose-color-2"
COMPOSE_COLOR_2_GROUP = "compose-color-2-group"
COMPOSE_ANGLE = "compose-angle"
COMPOSE_ANGLE_GROUP = "compose-angle-group"
COMPOSE_SPACING = "compose-spacing"
COMPOSE_SPACING_GROUP = "compose-spacing-group"
COMPOSE_FIT = "compose-fit"
COMPOSE_PHOTO_GROUP = "compose-photo-group"
COMPOSE_SAVE_NAME = "compose-save-name"
COMPOSE_SAVE = "compose-save"
COMPOSE_SAVED = "compose-saved"
COMPOSE_OPEN = "compose-open"
COMPOSE_DELETE_SAVED = "compose-delete-saved"  # asks first, in the dialog below
COMPOSE_DELETE_DIALOG = "compose-delete-dialog"
COMPOSE_DELETE_QUESTION = "compose-delete-question"  # names the composition the dialog would delete
COMPOSE_DELETE_CONFIRMED = "compose-delete-confirmed"
COMPOSE_DELETE_CANCEL = "compose-delete-cancel"
COMPOSE_ADD_TEXT = "compose-add-text"
COMPOSE_NAME = "compose-name"  # the selected layer's name
COMPOSE_IMAGE_GROUP = "compose-image-group"  # controls only an image layer has (scale, flips, crop)
COMPOSE_TEXT_GROUP = "compose-text-group"  # controls only a text layer has
COMPOSE_CROP_X = "compose-crop-x"
COMPOSE_CROP_Y = "compose-crop-y"
COMPOSE_CROP_W = "compose-crop-w"
COMPOSE_CROP_H = "compose-crop-h"
COMPOSE_CROP_MODE = "compose-crop-mode"  # toggles crop handles on the canvas (assets/js/compose.js, no request)
COMPOSE_CROP_RESET = "compose-crop-reset"
COMPOSE_TEXT = "compose-text"
COMPOSE_FONT = "compose-font"
COMPOSE_FONT_SIZE = "compose-font-size"
COMPOSE_WEIGHT = "compose-weight"
COMPOSE_TEXT_COLOR = "compose-text-color"
COMPOSE_ALIGN = "compose-align"
COMPOSE_BOX = "compose-box"
COMPOSE_BOX_COLOR = "compose-box-color"
COMPOSE_PADDING = "compose-padding"
COMPOSE_RADIUS = "compose-radius"
# "From the app": a run's picture or a Data chart as a layer (pages/compose_sources.py), and its refresh
COMPOSE_ADD_SOURCE = "compose-add-source"  # opens the dialog
COMPOSE_SOURCE_DIALOG = "compose-source-dialog"
COMPOSE_SOURCE_CLOSE = "compose-source-close"
COMPOSE_SOURCE_RUN = "compose-source-run"
COMPOSE_SOURCE_PICTURE = "compose-source-picture"
COMPOSE_SOURCE_RUN_NOTE = "compose-source-run-note"
COMPOSE_ADD_ARTIFACT = "compose-add-artifact"
COMPOSE_CHART_DB = "compose-chart-db"
COMPOSE_CHART_TABLE = "compose-chart-table"
COMPOSE_CHART_X = "compose-chart-x"
COMPOSE_CHART_BUCKET = "compose-chart-bucket"
COMPOSE_CHART_AGG = "compose-chart-agg"
COMPOSE_CHART_Y = "compose-chart-y"
COMPOSE_CHART_NOTE = "compose-chart-note"
COMPOSE_ADD_CHART = "compose-add-chart"
COMPOSE_SOURCE_GROUP = "compose-source-group"  # the selected layer's source, when it has one
COMPOSE_SOURCE_TEXT = "compose-source-text"
COMPOSE_REFRESH = "compose-refresh"
COMPOSE_SELECTION_NOTE = "compose-selection-note"  # "3 layers selected" when several are
COMPOSE_SINGLE_GROUP = "compose-single-group"  # controls of one layer only (name, position, rotation)
COMPOSE_ARRANGE_LEFT = "compose-arrange-left"  # align and distribute (the selection, or one layer to the canvas)
COMPOSE_ARRANGE_CENTER = "compose-arrange-center"
COMPOSE_ARRANGE_RIGHT = "compose-arrange-right"
COMPOSE_ARRANGE_TOP = "compose-arrange-top"
COMPOSE_ARRANGE_MIDDLE = "compose-arrange-middle"
COMPOSE_ARRANGE_BOTTOM = "compose-arrange-bottom"
COMPOSE_DISTRIBUTE_X = "compose-distribute-x"
COMPOSE_DISTRIBUTE_Y = "compose-distribute-y"

# end of the Compose page's ids
# ---------------------------------------------------------------------------------------------------


# Not found
NOT_FOUND_PAGE = "not-found-page"
