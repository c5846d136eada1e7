"""Reading a JSON request body, for every door and the JSON APIs: the size
limit is checked before parsing and nesting is bounded while parsing. Each
caller turns the two errors into its own error shape."""
from __future__ import annotations

import orjson
from flask import request

# Deep enough for any real schema or content; shallow enough that everything
# after parsing (the estimator, schema cleaning, orjson.dumps of the upstream
# body, which stops at 254 levels) stays well inside its own limits.
MAX_DEPTH = 128
# orjson refuses documents nested more than 1024 levels deep. Wrapping the
# body in this many one-element arrays makes that same check, in C and
# during the one parse, refuse anything deeper than MAX_DEPTH.
_ORJSON_DEPTH = 1024
_PAD = _ORJSON_DEPTH - MAX_DEPTH
_OPEN, _CLOSE = b"[" * _PAD, b"]" * _PAD
_CHUNK = 64 * 1024


class BodyTooLarge(Exception):
    pass


class NotJson(Exception):
    pass


def read_json(limit: int):
    """The parsed body, or BodyTooLarge / NotJson."""
    return parse_json(read_body(limit))


def read_body(limit: int) -> bytes:
    """At most `limit` bytes of body; BodyTooLarge (having read at most one
    chunk past the limit) when there is more."""
    if request.content_length is not None:
        if request.content_length > limit:
            raise BodyTooLarge
        stream = request.stream
    elif "wsgi.input_terminated" in request.environ:
        # A chunked body, ended by the server. Not request.stream: werkzeug's
        # wrapper refuses any read past MAX_CONTENT_LENGTH, even one that
        # would have found the end, so a body of exactly `limit` bytes
        # could not be told from a longer one.
        stream = request.environ["wsgi.input"]
    else:
        return b""
    parts, size = [], 0
    while size <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    if size > limit:
        raise BodyTooLarge
    return b"".join(parts)


def parse_json(data: bytes):
    """orjson.loads, refusing nesting deeper than MAX_DEPTH (NotJson)."""
    try:
        value = orjson.loads(_OPEN + data + _CLOSE)
    except orjson.JSONDecodeError:
        raise NotJson from None
    # Each wrapper must hold exactly one element, or the body was not one
    # JSON value (empty, or "1],[2" closing and reopening a wrapper).
    for _ in range(_PAD):
        if type(value) is not list or len(value) != 1:
            raise NotJson
        value = value[0]
    return value


def json_object(limit: int) -> dict | None:
    """For the JSON APIs: the body if it is a JSON object sent as JSON, else
    None; BodyTooLarge over `limit` whatever its type. (Not get_json: the
    stdlib parser lets RecursionError through on deep nesting.)"""
    data = read_body(limit)
    if not request.is_json:
        return None
    try:
        body = parse_json(data)
    except NotJson:
        return None
    return body if isinstance(body, dict) else None
