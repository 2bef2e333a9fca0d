"""Data page: opt-in cell edits, and a clear refusal on read-only tables."""

from __future__ import annotations

from dash import Dash, Input, Output, State, no_update

from dash_app import ids
from dash_app.auth import current_user_name
from dash_app.callbacks.data_common import USER_ERRORS, problem_color
from dash_app.components import alert
from dash_app.workbench import get_workbench

LOCAL_USER = "local user"


def register(app: Dash) -> None:
    """Register the editing callbacks."""

    @app.callback(
        Output(ids.DATA_EDIT_NOTE, "children"),
        Output(ids.DATA_REFRESH, "data"),
        Input(ids.DATA_GRID, "cellValueChanged"),
        State(ids.DATA_VIEW, "data"),
        State(ids.DATA_REFRESH, "data"),
        prevent_initial_call=True,
    )
    def save_edit(changes, view, refreshes):
        """Write an edited cell by primary key; on refusal say why and reload the grid's rows."""
        if not changes or not view:
            return no_update, no_update
        change = changes[-1] if isinstance(changes, list) else changes
        if not isinstance(change, dict):
            return alert("The grid sent an edit that cannot be read."), (refreshes or 0) + 1
        data = get_workbench().data
        user = current_user_name() or LOCAL_USER
        try:
            edit = data.edit(view["db"], view["table"], change.get("data"), change.get("colId"),
                             change.get("oldValue"), change.get("value"), user)
        except USER_ERRORS as error:
            return alert(str(error), problem_color(error)), (refreshes or 0) + 1
        key = ", ".join(f"{name} = {value}" for name, value in edit.key.items())
        return alert(f"Saved {edit.column} of the row with {key}.", "success", duration=6000), no_update

    @app.callback(
        Output(ids.DATA_EDIT_NOTE, "children", allow_duplicate=True),
        Input(ids.DATA_GRID, "cellDoubleClicked"),
        State(ids.DATA_VIEW, "data"),
        prevent_initial_call=True,
    )
    def refuse_read_only(clicked, view):
        """Say why a double-clicked cell does not open an editor."""
        if not clicked or not view:
            return no_update
        data = get_workbench().data
        if data.is_editable(view["db"], view["table"]):
            return no_update
        return alert(f"{view['table']!r} is read-only: its cells cannot be edited. An administrator can allow "
                     "edits of a table with DASH_APP_EDITABLE_TABLES.", "info")
