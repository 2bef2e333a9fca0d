"""Constants and small helpers shared by the browser tests and their fixtures."""

WIDTHS = {"wide": 1440, "narrow": 390}
SCHEMES = ("light", "dark")
HOST_USER = ("alice", "correct horse battery", "Alice Martin")


def theme_of(page) -> str:
    """The colour mode the page shows."""
    return page.evaluate("document.documentElement.getAttribute('data-bs-theme')")
