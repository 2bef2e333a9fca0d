"""Malformed callback requests get a 400 with a one-line reason, before Dash reads them.

Dash's ``_dash-update-component`` trusts its body: a body that is not JSON, JSON that is not an object, one
without ``"output"``, an output that names no server callback, ``"inputs"`` that is not a list, or JSON nested
deeper than Python parses, each raised inside Dash and was answered with a 500 (and a traceback in the log).
A pattern-matching output sent with other components than its states name, which Dash refuses only once the
callback has answered, is answered 400 too. Only the product's own endpoint is checked (``init_app`` passes the
app whose prefix it serves); a request shaped the way the browser sends it passes untouched, so valid requests
never see this.
"""

from __future__ import annotations

import json
import logging

from dash import ALL, ALLSMALLER, MATCH, Dash, Output
from dash._validate import validate_output_spec  # the check Dash makes of "outputs", here before Dash answers
from dash.exceptions import CallbackException, InvalidCallbackReturnValue
from flask import Flask, request
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)
# JSON nested deeper than this is refused: the deepest real body (a chart's figure sent back as the chart box's
# children, callbacks/data_chart.py) nests about 20 levels.
MAX_DEPTH = 100
LOCATION = "_pages_location"  # the address Dash's own page router reads
WILDCARDS = {'["ALL"]': ALL, '["MATCH"]': MATCH, '["ALLSMALLER"]': ALLSMALLER}  # as callback ids write them


class Malformed(ValueError):
    """The body is not what the browser sends; the message is for whoever sent it."""


def register(server: Flask, app: Dash) -> None:
    """Check the bodies of ``app``'s callback endpoint on ``server``."""
    endpoint = app.config.routes_pathname_prefix + "_dash-update-component"

    @server.before_request
    def _refuse_malformed_callback() -> Response | None:
        if request.endpoint != endpoint or request.method != "POST":
            return None
        try:
            check_body(app, _parsed_body())
        except Malformed as problem:
            return Response(f"{problem}\n", status=400, mimetype="text/plain")
        return None

    @server.errorhandler(InvalidCallbackReturnValue)
    def _outputs_that_are_not_the_pages(error: InvalidCallbackReturnValue) -> Response:
        """A pattern-matching output sent with other components than its states name: the callback answers for
        the components in its states, and Dash refuses an answer of another length than the outputs sent.
        The page never sends this; whoever did gets a 400. Elsewhere (a host's own Dash app) Flask's 500."""
        if request.endpoint != endpoint:
            raise error
        log.warning("a callback request's outputs do not match its states (%s)", request.path, exc_info=error)
        return Response("The callback request's outputs are not the components its states name.\n", status=400,
                        mimetype="text/plain")


def _parsed_body() -> object:
    """The request's JSON (cached by Flask, so Dash does not parse it again); Malformed when it is not JSON."""
    try:
        body = request.get_json(force=True, silent=True)
    except RecursionError:
        raise Malformed(f"The callback request nests deeper than {MAX_DEPTH} levels.") from None
    if body is None:
        raise Malformed("The callback request is not JSON.")
    return body


def check_body(app: Dash, body: object) -> None:
    """Raise Malformed unless ``body`` has the shape Dash's renderer sends for one of ``app``'s server callbacks.

    Only the envelope is checked (which callback, one entry per declared input and state, each an object with
    an id and a property, or a list of them for a pattern-matching one); the values are the callbacks' to check.
    """
    if not isinstance(body, dict):
        raise Malformed("The callback request is not a JSON object.")
    _check_depth(body)
    output = body.get("output")
    if not isinstance(output, str):
        raise Malformed('The callback request has no "output".')
    callback = app.callback_map.get(output)
    if callback is None or "callback" not in callback:
        raise Malformed("The callback request names no callback of this application.")
    _check_outputs(output, body.get("outputs"))
    for key in ("inputs", "state"):
        _check_dependencies(key, body.get(key, []), callback.get(key, []))
    _check_location(app, [*body.get("inputs", []), *body.get("state", [])])
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(item, str) for item in changed):
        raise Malformed('The callback request\'s "changedPropIds" is not a list of names.')


def _check_outputs(output: str, sent: object) -> None:
    """Malformed unless ``sent`` names the callback's outputs, as Dash checks them before it answers (with a 500)."""
    declared = [_declared(item) for item in output.strip(".").split("...")]
    multi = output.startswith("..")  # several outputs, or named ones: Dash expects a list
    if not isinstance(sent, list if multi else dict):
        raise Malformed('The callback request\'s "outputs" do not match its "output".')
    try:
        validate_output_spec(declared if multi else declared[0], sent, Output)
    except (CallbackException, KeyError, TypeError, AttributeError):
        raise Malformed('The callback request\'s "outputs" do not match its "output".') from None


def _declared(item: str) -> Output:
    """One output of a callback id ("id.property", or a pattern's JSON id; "@..." marks a duplicate output)."""
    component_id, prop = item.rsplit(".", 1)
    prop = prop.split("@")[0]
    if component_id.startswith("{"):
        component_id = {key: WILDCARDS.get(json.dumps(value, separators=(",", ":")), value)
                        for key, value in json.loads(component_id).items()}
    return Output(component_id, prop)


def _check_dependencies(key: str, sent: object, declared: list[dict]) -> None:
    if not isinstance(sent, list) or len(sent) != len(declared):
        raise Malformed(f'The callback request\'s "{key}" is not a list of {len(declared)} entries.')
    for item in sent:
        entries = item if isinstance(item, list) else [item]  # a list for a pattern-matching (ALL) dependency
        if not all(_is_entry(entry) for entry in entries):
            raise Malformed(f'An entry of the callback request\'s "{key}" is not what the page sends.')


def _check_location(app: Dash, entries: list) -> None:
    """Malformed unless the page's address, where it is sent, is text under the app's prefix: Dash's own page
    router reads it as such and fails on anything else."""
    prefix = app.config.requests_pathname_prefix.rstrip("/") or "/"
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("id") != LOCATION:
            continue
        value = entry.get("value")
        if value is None and entry.get("property") != "pathname":
            continue
        if not isinstance(value, str) or not value.isprintable() or \
                (entry.get("property") == "pathname" and not value.startswith(prefix)):
            raise Malformed("The page's address in the callback request is not one of this application.")


def _is_entry(entry: object) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("property"), str) and isinstance(entry.get("id"), (str, dict))


def _check_depth(body: object) -> None:
    """Malformed when ``body`` nests deeper than MAX_DEPTH (walked without recursion)."""
    level = [body]
    for _ in range(MAX_DEPTH):
        level = [child for value in level if isinstance(value, (dict, list))
                 for child in (value.values() if isinstance(value, dict) else value) if isinstance(child, (dict, list))]
        if not level:
            return
    raise Malformed(f"The callback request nests deeper than {MAX_DEPTH} levels.")
