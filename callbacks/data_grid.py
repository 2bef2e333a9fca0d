"""Data page: blocks of rows for the infinite grid, and refreshing it when the view changes outside it."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, no_update, set_props

from dash_app import ids
from dash_app.callbacks.data_common import USER_ERRORS, problem_color
from dash_app.components import alert
from dash_app.workbench import get_workbench

NAMESPACE = "data"


def register(app: Dash) -> None:
    """Register the grid's callbacks."""

    @app.callback(
        Output(ids.DATA_GRID, "getRowsResponse"),
        Input(ids.DATA_GRID, "getRowsRequest"),
        State(ids.DATA_VIEW, "data"),
        State(ids.DATA_SEARCH, "value"),
        State(ids.DATA_VALUES_STORE, "data"),
        State(ids.DATA_INIT, "data"),
        prevent_initial_call=True,
    )
    def rows(request, view, search, values, init):
        """Rows [startRow, endRow) of the view, done by the database, with the row count when it is known.

        The only declared output is the grid's: this runs for every block, and a problem (rare) is shown
        with ``set_props`` instead of a second output that every response would carry. Only problems are
        sent that way: a side update that lands after the user left the page is an error in the browser.
        The next view clears the message (``describe_view``).

        Every request is answered: the grid asks for one block at a time (``maxConcurrentDatasourceRequests``
        in pages/data.py) and waits for it, so a block left unanswered stops the grid for good.
        """
        if not request:
            return no_update
        data = get_workbench().data
        try:
            if view:
                database = view["db"]
                compact = {"s": request.get("sortModel") or [], "f": request.get("filterModel") or None,
                           "v": values or None, "q": search or ""}
                table, spec = data.view(database, view["table"], compact)
            else:
                # The grid asked before open_table (callbacks/data_browse.py) stored the view: Dash runs this
                # without waiting for a callback whose output is only our State. Answer with the table and
                # view the address opens, chosen the way open_table chooses them; the grid asks again if
                # open_table's columns and filters then change its sort or filters.
                database, _ = data.pick_database((init or {}).get("db"))
                opened = data.open(database, (init or {}).get("table"), (init or {}).get("view"))
                if opened.table is None:
                    return {"rowData": [], "rowCount": 0}
                table, spec = opened.table, opened.spec
            block = data.block(database, table, spec, request.get("startRow"), request.get("endRow"))
            count = data.grid_count(database, table, spec) if block.last_row is None else block.last_row
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
