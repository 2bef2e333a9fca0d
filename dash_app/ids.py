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

# end of the Training page's ids
# ---------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------
# Compose page (prefix "compose-")
COMPOSE_PAGE = "compose-page"

# end of the Compose page's ids
# ---------------------------------------------------------------------------------------------------


# Not found
NOT_FOUND_PAGE = "not-found-page"
