"""Reading a JSON request body, for every door and the JSON APIs: the size
limit is checked before parsing and nesting is bounded. Each
caller turns the two errors into its own error shape."""
from __future__ import annotations

import orjson
from flask import request

# Deep enough for any real schema or content; shallow enough that everything
# after parsing (the estimator, schema cleaning, orjson.dumps of the upstream
# body, which stops at 254 levels) stays well inside its own limits. orjson
# itself refuses more than 1024 levels, in C, so nothing deeper than that
# is ever built.
MAX_DEPTH = 128
_CONTAINERS = (dict, list)
# Past this many brackets a walk of the parsed containers in Python would
# cost more (about 0.2 ms) than the old way, kept for those bodies: wrap the
# body in enough one-element arrays that orjson's own limit of 1024 levels,
# in C and during the one parse, refuses anything deeper than MAX_DEPTH.
_WALK_LIMIT = 512
_PAD = 1024 - MAX_DEPTH
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
    # No document nests deeper than it has opening brackets (counted in
    # strings too), so for most bodies two counts in C settle it.
    brackets = data.count(b"[") + data.count(b"{")
    if brackets > _WALK_LIMIT:
        return _parse_padded(data)
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise NotJson from None
    if brackets > MAX_DEPTH and too_deep(value):
        raise NotJson
    return value


def _parse_padded(data: bytes):
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


def too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """Whether `value` nests more than `limit` containers deep (a scalar is
    0 deep, [] and {} are 1). A loop, not recursion: orjson builds values
    up to 1024 deep, past Python's recursion limit."""
    if type(value) not in _CONTAINERS:
        return False
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for child in (node.values() if type(node) is dict else node):
            if type(child) in _CONTAINERS:
                stack.append((child, depth + 1))
    return False


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
