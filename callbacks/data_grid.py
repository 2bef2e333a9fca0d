"""Data page: blocks of rows for the infinite grid, and refreshing it when the view changes outside it."""

from __future__ import annotations

from dash import Dash, Input, Output, State, no_update, set_props

from dash_app import ids
from dash_app.callbacks.data_common import NAMESPACE
from dash_app.callbacks.wiring import clientside
from dash_app.components.data import USER_ERRORS, problem_alert
from dash_app.data.query import QueryError, grid_view
from dash_app.data.urlstate import page_view
from dash_app.workbench import get_workbench


def register(app: Dash) -> None:
    """Register the grid's callbacks."""
    app.callback(
        output={"response": Output(ids.DATA_GRID, "getRowsResponse")},
        inputs={"request": Input(ids.DATA_GRID, "getRowsRequest")},
        state={"view": State(ids.DATA_VIEW, "data"), "search": State(ids.DATA_SEARCH, "value"),
               "values": State(ids.DATA_VALUES_STORE, "data")},
        prevent_initial_call=True,
    )(rows)
    clientside(app, NAMESPACE, "purgeGrid", Output(ids.DATA_PURGED, "data"), Input(ids.DATA_SEARCH, "value"),
               Input(ids.DATA_VALUES_STORE, "data"), Input(ids.DATA_REFRESH, "data"), State(ids.DATA_GRID, "id"),
               prevent_initial_call=True)


def rows(request, view, search, values) -> dict:
    """Rows [startRow, endRow) of the view, done by the database, with the row count when it is known.

    The only declared output is the grid's: this runs for every block, and a problem (rare) is shown
    with ``set_props`` instead of a second output that every response would carry. Only problems are
    sent that way: a side update that lands after the user left the page is an error in the browser.
    The next view clears the message (``describe_view`` in callbacks/data_browse.py).

    Every request is answered: the grid asks for one block at a time (``maxConcurrentDatasourceRequests``
    in pages/data.py) and waits for it, so a block left unanswered stops the grid for good.
    """
    if not request:
        return {"response": no_update}
    response, problem = answer_block(request, view, search, values)
    if problem is not None:
        set_props(ids.DATA_GRID_NOTE, {"children": problem_alert(problem)})
    return {"response": response}


def answer_block(request: dict, view, search, values) -> tuple[dict, Exception | None]:
    """The grid's answer to a block request, and the user error that left it empty (None when there is none).

    An empty, finished block stops the grid asking again; the error says what went wrong.
    """
    data = get_workbench().data
    if not isinstance(request, dict):  # the grid always sends an object: anything else was made by hand
        return {"rowData": [], "rowCount": 0}, QueryError("The grid asked for rows in a form it cannot read.")
    try:
        view = page_view(view)
        if not view:  # no table is open (the page says why)
            return {"rowData": [], "rowCount": 0}, None
        database = view["db"]
        compact = grid_view(sort=request.get("sortModel") or [], filters=request.get("filterModel"), values=values,
                            search=search)
        table, spec = data.view(database, view["table"], compact)
        block = data.block(database, table, spec, request.get("startRow"), request.get("endRow"))
        count = data.grid_count(database, table, spec) if block.last_row is None else block.last_row
    except USER_ERRORS as error:
        return {"rowData": [], "rowCount": 0}, error
    response = {"rowData": block.rows}
    end = request["startRow"] + len(block.rows)
    if count is not None and count >= end:  # an estimate below what was read would cut the scrollbar
        response["rowCount"] = count
    return response, None
