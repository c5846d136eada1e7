"""Reading a JSON request body with a size limit checked before parsing."""
from __future__ import annotations

import orjson
from flask import current_app, request

from services.relay.errors import RelayError, invalid_request


def read_json_body():
    limit = current_app.config["MAX_REQUEST_BYTES"]
    too_large = RelayError(413, "request_too_large", f"The request body exceeds {limit} bytes.")
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise too_large
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        raise invalid_request("The request body is not valid JSON.") from None
