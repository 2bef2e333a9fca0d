"""A page's first screen, in its HTML: the layout the browser is about to render, as plain HTML, shown at once.

Dash sends a page as an empty shell; the browser loads the scripts, asks for the layout and renders it, and a
grid then asks for its rows. On the Data page that is about a second before the first rows show, while a
server-rendered page shows them as soon as its HTML arrives. For pages that ask for it (``PAGE["first_screen"]``)
the HTML therefore carries the page as it will look: the same component tree (the shell with the page's layout
in it), written out as the HTML the components render, with the grid's first rows in it. It lies over the app
(``.app-first-screen``, assets/css/first-screen.css) until the page shows what the page's
``PAGE["first_screen_until"]`` selector names (its own rows, or a message), and then goes
(assets/boot/first-paint.js). It is a picture: it takes no clicks and screen readers skip it.

Only the component types listed here are written out; any other renders its children alone (a test renders the
Data page and finds none such, so a new one is added here, not silently dropped). Every text and attribute is
escaped.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from decimal import Decimal
from html import escape

from dash._pages import (  # the router's own parsers: same page, same query
    _parse_query_string,
    _path_to_page,
)
from dash.development.base_component import Component

from dash_app.data import cells

LOG = logging.getLogger(__name__)
PAGES_CONTENT = "_pages_content"  # where Dash's page router puts the page (dash.page_container)
HTML = "dash_html_components"
DCC = "dash_core_components"
DBC = "dash_bootstrap_components"
GRID = "dash_ag_grid"
VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"})
# Props of html components written as attributes (ids are left out: the app below the picture owns them).
ATTRIBUTES = {"className": "class", "href": "href", "title": "title", "role": "role", "type": "type",
              "placeholder": "placeholder", "htmlFor": "for", "download": "download", "hidden": "hidden",
              "disabled": "disabled", "value": "value", "alt": "alt", "src": "src"}
NOTHING = frozenset({"Store", "Location", "Interval", "Popover", "Tooltip", "Download", "Modal", "Offcanvas"})
DEFAULT_WIDTH, DEFAULT_MIN_WIDTH = 200, 110  # AG Grid's default column width; the page's minWidth
# Rows drawn in the grid's picture: more than a 1440 px tall window shows in the compact density; each row more
# is style and layout work before the first paint.
GRID_ROWS = 50


class Context:
    """What rendering needs besides the tree: the address (for active links), slots, the grid's first rows."""

    def __init__(self, path: str, slots: dict[str, Component] | None = None,
                 rows: Callable[[Component], list[dict] | None] | None = None) -> None:
        self.path = path
        self.slots = slots or {}
        self.rows = rows or (lambda grid: None)
        self.unknown: set[str] = set()  # component types drawn as their children alone (the tests keep it empty)


def render(node, context: Context) -> str:
    """The HTML that ``node`` (a component, text or list of them) renders in the browser."""
    if node is None or isinstance(node, bool):
        return ""
    if isinstance(node, (list, tuple)):
        return "".join(render(child, context) for child in node)
    if not isinstance(node, Component):
        return escape(str(node))
    namespace, kind = node._namespace, node._type
    if kind in NOTHING:
        return ""
    slot = context.slots.get(getattr(node, "id", None)) if isinstance(getattr(node, "id", None), str) else None
    if slot is not None:
        return f"<div>{render(slot, context)}</div>"
    if namespace == HTML:
        return _html(node, context)
    writer = WRITERS.get((namespace, kind))
    if writer is None:
        context.unknown.add(f"{namespace}.{kind}")
        return render(getattr(node, "children", None), context)
    return writer(node, context)


# ---- writing -------------------------------------------------------------------------------------------------

def tag(name: str, attributes: dict, inner: str = "") -> str:
    """``<name ...>inner</name>`` with the attributes that have a value (True: the bare attribute)."""
    parts = [name]
    for key, value in attributes.items():
        if value is None or value is False or value == "":
            continue
        parts.append(escape(key) if value is True else f'{escape(key)}="{escape(str(value))}"')
    opening = "<" + " ".join(parts) + ">"
    return opening if name in VOID else f"{opening}{inner}</{name}>"


def classes(*names) -> str:
    return " ".join(str(name) for name in names if name)


def _style(style: dict | None) -> str | None:
    if not style:
        return None
    return "; ".join(f"{_css_name(key)}: {value}" for key, value in style.items())


def _css_name(key: str) -> str:
    return key if key.startswith("--") else "".join(f"-{c.lower()}" if c.isupper() else c for c in key)


def _html(node, context: Context) -> str:
    attributes = {html_name: getattr(node, prop, None) for prop, html_name in ATTRIBUTES.items()}
    attributes["style"] = _style(getattr(node, "style", None))
    for prop, value in node.to_plotly_json()["props"].items():  # aria-* and data-* pass through as they are
        if prop.startswith(("aria-", "data-")):
            attributes[prop] = value
    return tag(node._type.lower(), attributes, render(getattr(node, "children", None), context))


def _children(node, context: Context) -> str:
    return render(getattr(node, "children", None), context)


def _attr(node, name: str, default=None):
    value = getattr(node, name, None)
    return default if value is None else value


def _navbar(node, context):
    theme = "dark" if _attr(node, "dark") else "light"
    color = _attr(node, "color", "light")
    expand = _attr(node, "expand", "md")
    name = classes(_attr(node, "className"), "navbar", f"navbar-expand-{expand}" if expand else "",
                   f"navbar-{theme}", f"bg-{color}")
    return tag("nav", {"class": name}, _children(node, context))


def _container(node, context):
    fluid = _attr(node, "fluid", False)
    name = "container-fluid" if fluid is True else f"container-{fluid}" if fluid else "container"
    return tag("div", {"class": classes(_attr(node, "className"), name)}, _children(node, context))


def _link(node, context, base: str, active: bool = False):
    return tag("a", {"href": _attr(node, "href"), "class": classes(_attr(node, "className"), base,
                                                                  "active" if active else "")},
               _children(node, context))


def _nav_link(node, context):
    href, rule = _attr(node, "href", ""), _attr(node, "active", False)
    path = context.path.rstrip("/") or "/"
    target = href.rstrip("/") or "/"
    active = rule is True or (rule == "exact" and path == target) or (
        rule == "partial" and (path == target or path.startswith(target.rstrip("/") + "/")))
    return _link(node, context, "nav-link", active)


def _switch(node, context):
    box = tag("input", {"type": "checkbox", "class": classes("form-check-input", _attr(node, "input_class_name")),
                        "checked": bool(_attr(node, "value")), "tabindex": "-1"})
    label = tag("label", {"class": "form-check-label form-label"}, render(_attr(node, "label"), context))
    return tag("div", {"class": classes("form-check form-switch", _attr(node, "className"))}, box + label)


def _toggler(node, context):
    return tag("button", {"type": "button", "class": classes(_attr(node, "className"), "navbar-toggler collapsed"),
                          "tabindex": "-1"}, '<span class="navbar-toggler-icon"></span>')


def _collapse(node, context):
    name = classes(_attr(node, "className"), "navbar-collapse" if _attr(node, "navbar") else "",
                   "collapse", "show" if _attr(node, "is_open") else "")
    return tag("div", {"class": name}, _children(node, context))


def _nav(node, context):
    name = classes(_attr(node, "className"), "navbar-nav" if _attr(node, "navbar") else "nav")
    return tag("div", {"class": name}, _children(node, context))


def _row(node, context):
    return tag("div", {"class": classes(_attr(node, "className"), "row")}, _children(node, context))


def _col(node, context):
    sizes = [f"col-{size}-{_attr(node, size)}" for size in ("sm", "md", "lg", "xl", "xxl") if _attr(node, size)]
    width = _attr(node, "width")
    name = classes(_attr(node, "className"), f"col-{width}" if width else "", *sizes) if (sizes or width) else \
        classes(_attr(node, "className"), "col")
    return tag("div", {"class": name}, _children(node, context))


def _button_class(node) -> str:
    color = _attr(node, "color", "primary")
    return classes(_attr(node, "className"), "btn", f"btn-outline-{color}" if _attr(node, "outline") else f"btn-{color}",
                   f"btn-{_attr(node, 'size')}" if _attr(node, "size") else "", "disabled" if _attr(node, "disabled") else "")


def _button(node, context):
    if _attr(node, "href"):
        return tag("a", {"href": _attr(node, "href"), "class": _button_class(node)}, _children(node, context))
    return tag("button", {"type": "button", "class": _button_class(node), "tabindex": "-1"}, _children(node, context))


def _dropdown(node, context):
    toggle = tag("button", {"type": "button", "tabindex": "-1", "class": classes(
        _attr(node, "toggle_class_name"), "dropdown-toggle", "btn", f"btn-{_attr(node, 'color', 'primary')}")},
                 render(_attr(node, "label"), context))
    return tag("div", {"class": classes(_attr(node, "className"), "dropdown")}, toggle)


def _input(node, context):
    size = _attr(node, "size")
    return tag("input", {"type": _attr(node, "type", "text"), "placeholder": _attr(node, "placeholder"),
                         "value": _attr(node, "value"), "tabindex": "-1",
                         "class": classes(_attr(node, "className"), f"form-control-{size}" if size else "",
                                          "form-control")})


def _badge(node, context):
    name = classes(_attr(node, "className"), "badge", f"bg-{_attr(node, 'color', 'secondary')}",
                   "rounded-pill" if _attr(node, "pill") else "")
    return tag("span", {"class": name}, _children(node, context))


def _alert(node, context):
    if _attr(node, "is_open", True) is False:
        return ""
    name = classes(_attr(node, "className"), "alert", f"alert-{_attr(node, 'color', 'secondary')}",
                   "alert-dismissible" if _attr(node, "dismissable") else "", "fade show")
    close = '<button type="button" class="btn-close" tabindex="-1"></button>' if _attr(node, "dismissable") else ""
    return tag("div", {"role": "alert", "class": name}, _children(node, context) + close)


def _tabs(node, context):
    tabs = [tab for tab in (_attr(node, "children", []) if isinstance(node.children, list) else [node.children])
            if isinstance(tab, Component)]
    ids = [_attr(tab, "tab_id") or f"tab-{index}" for index, tab in enumerate(tabs)]
    active = _attr(node, "active_tab") or (ids[0] if ids else None)
    links = "".join(tag("div", {"class": "nav-item"}, tag("a", {"role": "tab", "href": "#", "class": classes(
        "active" if tab_id == active else "", "nav-link")}, escape(str(_attr(tab, "label", "")))))
        for tab, tab_id in zip(tabs, ids))
    panes = "".join(tag("div", {"role": "tabpanel", "class": classes("fade tab-pane", "active show" if tab_id == active
                                                                       else "")},
                        f"<div>{render(_attr(tab, 'children'), context)}</div>" if tab_id == active else "")
                    for tab, tab_id in zip(tabs, ids))
    return (tag("ul", {"class": classes(_attr(node, "className"), "nav nav-tabs"), "role": "tablist"}, links)
            + tag("div", {"class": "tab-content"}, panes))


def _dcc_link(node, context):
    return tag("a", {"href": _attr(node, "href"), "class": _attr(node, "className")}, _children(node, context))


# ---- the grid ------------------------------------------------------------------------------------------------

def fixed_text(value, decimals: int) -> str:
    """A value of a fixed-point column as the grid's formatter writes it (``cells.fixed_text``; anything that is
    not a number as is)."""
    return cells.fixed_text(value, decimals) or cell_text(value)


def cell_text(value) -> str:
    """A value as the grid shows it: JavaScript's ``String(value)`` of the JSON-safe value the grid receives
    (dash_app/data/cells.py makes every cell a string, number, boolean or None)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""  # JSON carries no NaN or infinity: the grid gets null
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        if 1e-7 <= abs(value) < 1e21:
            return format(Decimal(repr(value)), "f")
        return repr(value).replace("e-0", "e-").replace("e+0", "e+")  # 1e-07 -> 1e-7, as JavaScript writes it
    return str(value)


def _grid(node, context):
    """The grid as it looks with its first rows: header, pinned key column, rows (assets/css/app.css)."""
    default = _attr(node, "defaultColDef", {}) or {}
    columns = [column for column in _attr(node, "columnDefs", []) or [] if not column.get("hide")]
    columns.sort(key=lambda column: 0 if column.get("pinned") == "left" else 1)
    rows = context.rows(node)
    widths = [max(column.get("width", default.get("width", DEFAULT_WIDTH)),
                  column.get("minWidth", default.get("minWidth", DEFAULT_MIN_WIDTH))) for column in columns]
    cols = "".join(tag("col", {"width": width}) for width in widths)
    filtered = _attr(node, "filterModel", {}) or {}
    several = sum(1 for column in columns if column.get("sort")) > 1
    head = "".join(tag("th", {"class": _cell_class(column, header=True)},
                       _header_label(column, several) + _filter_button(column, filtered))
                   for column in columns)
    body = "".join("<tr>" + "".join(tag("td", {"class": _cell_class(column)},
                                        tag("div", {"class": "app-first-cell"}, _cell(column, row))) for column in columns)
                   + "</tr>" for row in (rows or [])[:GRID_ROWS])
    table = tag("table", {"class": "app-first-grid-table", "width": sum(widths)},
                f"<colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody>")
    frame = tag("div", {"class": "app-first-grid-frame"}, tag("div", {"class": "app-first-grid-scroll"}, table))
    return tag("div", {"class": classes(_attr(node, "className"), "app-first-grid"),
                       "style": _style(_attr(node, "style"))}, frame)


def _cell_class(column: dict, header: bool = False) -> str:
    # A column's own cellClass (a string or a list) replaces the one its type "rightAligned" gives (AG Grid: a
    # definition's properties win over its type's), so its cells are right-aligned only where it names that class.
    own = column.get("cellClass")
    own = " ".join(own) if isinstance(own, list) else own
    right = column.get("type") == "rightAligned" and (header or own is None or "ag-right-aligned-cell" in own.split())
    return classes("app-first-pinned" if column.get("pinned") == "left" else "", "app-first-right" if right else "",
                   "" if header else own)


def _header_label(column: dict, several: bool) -> str:
    """The header's name and its sort: the order among several sorted columns, and the direction's arrow."""
    name = tag("span", {"class": "app-first-name"}, escape(str(column.get("headerName", column.get("field", "")))))
    direction = column.get("sort")
    if direction not in ("asc", "desc"):
        return tag("div", {"class": "app-first-head"}, name)
    order = tag("span", {"class": "app-first-sort-order"}, str(column.get("sortIndex", 0) + 1)) if several else ""
    sort = tag("span", {"class": "app-first-sort"}, order + tag("i", {"class": f"app-first-sort-{direction}"}))
    right = column.get("type") == "rightAligned"
    return tag("div", {"class": "app-first-head"}, sort + name if right else name + sort)


def _filter_button(column: dict, filtered: dict) -> str:
    """The header's filter button: an icon, marked while the column has a filter."""
    if not column.get("filter"):
        return ""
    active = column.get("colId", column.get("field")) in filtered
    return tag("span", {"class": classes("app-first-filter", "app-first-filter-active" if active else "")}, "<i></i>")


def _cell(column: dict, row: dict) -> str:
    value = row.get(column.get("field"))
    decimals = (column.get("context") or {}).get("decimals")
    text = escape(fixed_text(value, decimals) if decimals is not None else cell_text(value))
    if column.get("cellRenderer") == "DataForeignKey" and text:
        return tag("a", {"class": "data-fk-link", "href": "#"}, text +
                   '<i class="bi bi-box-arrow-up-right data-fk-icon" aria-hidden="true"></i>')
    if column.get("cellDataType") == "boolean":
        return ""  # the grid draws a checkbox: the picture leaves the cell empty rather than show other text
    return text


WRITERS: dict[tuple[str, str], Callable] = {
    (DBC, "Navbar"): _navbar,
    (DBC, "Container"): _container,
    (DBC, "NavbarBrand"): lambda node, context: _link(node, context, "navbar-brand"),
    (DBC, "Nav"): _nav,
    (DBC, "NavLink"): _nav_link,
    (DBC, "Switch"): _switch,
    (DBC, "NavbarToggler"): _toggler,
    (DBC, "Collapse"): _collapse,
    (DBC, "Row"): _row,
    (DBC, "Col"): _col,
    (DBC, "Button"): _button,
    (DBC, "DropdownMenu"): _dropdown,
    (DBC, "Input"): _input,
    (DBC, "Badge"): _badge,
    (DBC, "Alert"): _alert,
    (DBC, "Tabs"): _tabs,
    (DCC, "Link"): _dcc_link,
    (GRID, "AgGrid"): _grid,
}


# ---- the page ------------------------------------------------------------------------------------------------

def page_html(app, path: str, query_string: str) -> str:
    """The first screen of the page at ``path`` (prefix included), or "" for a page that does not ask for one.

    A page asks with ``PAGE["first_screen"]``: a function that takes the page's layout and returns the grid's
    first rows, or None when the page has none to show (it then arrives as every page does). The picture is a
    head start, never a condition: if anything goes wrong here the page arrives as usual and the log says why.
    """
    page, variables = _path_to_page(app.strip_relative_path(path) or "")
    first_rows = (page or {}).get("first_screen")
    if not first_rows:
        return ""
    try:
        layout = page["layout"](**_parse_query_string("?" + query_string if query_string else ""),
                                **(variables or {}))
        rows = first_rows(layout)
        if rows is None:
            return ""
        context = Context(path, slots={PAGES_CONTENT: layout}, rows=lambda grid: rows)
        shell = app.layout() if callable(app.layout) else app.layout
        return tag("div", {"class": "app-first-screen", "aria-hidden": "true", "inert": True,
                           "data-until": page.get("first_screen_until", "")}, render(shell, context))
    except Exception:  # the page must arrive whatever its picture would have needed
        LOG.exception("The first screen of %s could not be written; the page loads without it", path)
        return ""
