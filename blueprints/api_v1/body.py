"""Reading a JSON request body with a size limit checked before parsing."""
from __future__ import annotations

from flask import current_app

from blueprints.json_body import MAX_DEPTH, BodyTooLarge, NotJson, read_json
from services.relay.errors import RelayError, invalid_request


def read_json_body():
    limit = current_app.config["MAX_REQUEST_BYTES"]
    try:
        return read_json(limit)
    except BodyTooLarge:
        raise RelayError(413, "request_too_large", f"The request body exceeds {limit} bytes.") from None
    except NotJson:
        raise invalid_request(f"The request body is not valid JSON (or is nested more than {MAX_DEPTH} deep).") from None


def read_json_object() -> dict:
    """read_json_body, refusing anything but a JSON object."""
    body = read_json_body()
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    return body
