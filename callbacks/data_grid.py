"""Data page: blocks of rows for the infinite grid, and refreshing it when the view changes outside it."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, no_update, set_props

from dash_app import ids
from dash_app.callbacks.data_common import USER_ERRORS, alert, problem_color, service

NAMESPACE = "data"


def register(app: Dash) -> None:
    """Register the grid's callbacks."""

    @app.callback(
        Output(ids.DATA_GRID, "getRowsResponse"),
        Input(ids.DATA_GRID, "getRowsRequest"),
        State(ids.DATA_VIEW, "data"),
        State(ids.DATA_SEARCH, "value"),
        State(ids.DATA_VALUES_STORE, "data"),
        prevent_initial_call=True,
    )
    def rows(request, view, search, values):
        """Rows [startRow, endRow) of the view, done by the database, with the row count when it is known.

        The only declared output is the grid's: this runs for every block, and a problem (rare) is shown
        with ``set_props`` instead of a second output that every response would carry. Only problems are
        sent that way: a side update that lands after the user left the page is an error in the browser.
        The next view clears the message (``describe_view``).
        """
        if not request or not view:
            return no_update
        data = service(app)
        compact = {"s": request.get("sortModel") or [], "f": request.get("filterModel") or None,
                   "v": values or None, "q": search or ""}
        try:
            table, spec = data.view(view["db"], view["table"], compact)
            block = data.block(view["db"], table, spec, request.get("startRow"), request.get("endRow"))
            count = data.grid_count(view["db"], table, spec) if block.last_row is None else block.last_row
        except USER_ERRORS as error:
            # An empty, finished block stops the grid asking again; the message says what went wrong.
            set_props(ids.DATA_GRID_NOTE, {"children": alert(str(error), problem_color(error))})
            return {"rowData": [], "rowCount": 0}
        response = {"rowData": block.rows}
        end = request["startRow"] + len(block.rows)
        if count is not None and count >= end:  # an estimate below what was read would cut the scrollbar
            response["rowCount"] = count
        return response

    app.clientside_callback(
        ClientsideFunction(NAMESPACE, "purgeGrid"),
        Output(ids.DATA_PURGED, "data"),
        Input(ids.DATA_SEARCH, "value"),
        Input(ids.DATA_VALUES_STORE, "data"),
        Input(ids.DATA_REFRESH, "data"),
        State(ids.DATA_GRID, "id"),
        prevent_initial_call=True,
    )
