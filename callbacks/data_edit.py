"""Data page: opt-in cell edits, and a clear refusal on read-only tables."""

from __future__ import annotations

from dash import Dash, Input, Output, State, no_update

from dash_app import ids
from dash_app.auth import current_user_name
from dash_app.components import alert
from dash_app.components.data import USER_ERRORS, problem_alert
from dash_app.data.edits import read_only
from dash_app.data.urlstate import page_view
from dash_app.workbench import get_workbench

LOCAL_USER = "local user"


def register(app: Dash) -> None:
    """Register the editing callbacks."""
    app.callback(
        output={"note": Output(ids.DATA_EDIT_NOTE, "children"), "refresh": Output(ids.DATA_REFRESH, "data")},
        inputs={"changes": Input(ids.DATA_GRID, "cellValueChanged")},
        state={"view": State(ids.DATA_VIEW, "data"), "refreshes": State(ids.DATA_REFRESH, "data")},
        prevent_initial_call=True,
    )(save_edit)
    app.callback(
        output={"note": Output(ids.DATA_EDIT_NOTE, "children", allow_duplicate=True)},
        inputs={"clicked": Input(ids.DATA_GRID, "cellDoubleClicked")},
        state={"view": State(ids.DATA_VIEW, "data")},
        prevent_initial_call=True,
    )(refuse_read_only)


def _next(refreshes: object) -> int:
    """The refresh counter's next value (the store holds a count; anything else starts again)."""
    return refreshes + 1 if isinstance(refreshes, int) and not isinstance(refreshes, bool) else 1


def save_edit(changes, view, refreshes) -> dict:
    """Write an edited cell by primary key; on refusal say why and reload the grid's rows."""
    view = page_view(view)
    if not changes or not view:
        return {"note": no_update, "refresh": no_update}
    change = changes[-1] if isinstance(changes, list) else changes
    if not isinstance(change, dict):
        return {"note": alert("The grid sent an edit that cannot be read."), "refresh": _next(refreshes)}
    user = current_user_name() or LOCAL_USER
    try:
        edit = get_workbench().data.edit(view["db"], view["table"], change.get("data"), change.get("colId"),
                                         change.get("oldValue"), change.get("value"), user)
    except USER_ERRORS as error:
        return {"note": problem_alert(error), "refresh": _next(refreshes)}
    key = ", ".join(f"{name} = {value}" for name, value in edit.key.items())
    return {"note": alert(f"Saved {edit.column} of the row with {key}.", "success", duration=6000),
            "refresh": no_update}


def refuse_read_only(clicked, view) -> dict:
    """Say why a double-clicked cell does not open an editor."""
    view = page_view(view)
    if not clicked or not view or get_workbench().data.is_editable(view["db"], view["table"]):
        return {"note": no_update}
    return {"note": alert(str(read_only(view["table"])), "info")}
