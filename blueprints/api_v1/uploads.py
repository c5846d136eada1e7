"""Reading a multipart upload (image edits, audio transcriptions) with a
per-endpoint size limit: a declared length over it is refused with 413
before any of the body is read, a chunked body as soon as it passes it.
Werkzeug spools files past 500 KB to a temporary file, so an upload is held
once, on disk, and streamed from there to the upstream."""
from __future__ import annotations

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from services.relay.errors import RelayError, invalid_request


def too_large(limit: int) -> RelayError:
    return RelayError(413, "request_too_large", f"The upload exceeds {limit // (1024 * 1024)} MB.")


def read_form(limit: int):
    """(fields, files) of a multipart/form-data request: fields as a dict
    (a repeated field, e.g. `timestamp_granularities[]`, as a list), files
    as werkzeug's MultiDict of FileStorage."""
    if request.mimetype != "multipart/form-data":
        raise invalid_request("The request must be multipart/form-data.")
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    request.max_content_length = limit
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        raise too_large(limit) from None
    fields = {}
    for name in form:
        values = form.getlist(name)
        fields[name] = values if len(values) > 1 or name.endswith("[]") else values[0]
    return fields, files


def file_part(name: str, storage) -> tuple:
    """An upload as the relay sends it on: (field, filename, file, content type)."""
    return (name, storage.filename or name, storage.stream, storage.mimetype or "application/octet-stream")
