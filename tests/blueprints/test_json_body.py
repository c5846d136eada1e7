"""The JSON body parser on its own (no server): the depth limit at its exact
boundary on each of its three ways of checking (bracket count, walk, second
parse), what is not one JSON value, and that the parsed value is orjson's."""
from __future__ import annotations

import orjson
import pytest
from flask import Flask

from blueprints import json_body
from blueprints.json_body import MAX_DEPTH, BodyTooLarge, NotJson, json_object, parse_json, too_deep


def lists(depth: int, leaf: bytes = b'"x"') -> bytes:
    return b"[" * depth + leaf + b"]" * depth


def dicts(depth: int, leaf: bytes = b"1") -> bytes:
    return b'{"a":' * depth + leaf + b"}" * depth


def mixed(depth: int) -> bytes:
    """Alternating objects and arrays, innermost an empty object (a level too)."""
    data = b"{}"
    for level in range(depth - 1):
        data = b"[" + data + b"]" if level % 2 else b'{"k":' + data + b"}"
    return data


def padded(data: bytes, extra: int) -> bytes:
    """The same value inside an array beside `extra` shallow siblings, so the
    bracket count grows while the depth grows by one only."""
    return b"[" + data + b",[]" * extra + b"]"


@pytest.mark.parametrize("make", [lists, dicts, mixed])
def test_max_depth_is_accepted_one_more_is_not(make):
    assert parse_json(make(MAX_DEPTH)) == orjson.loads(make(MAX_DEPTH))
    with pytest.raises(NotJson):
        parse_json(make(MAX_DEPTH + 1))


@pytest.mark.parametrize("extra", [0, 100, json_body._WALK_LIMIT])
def test_every_way_of_checking_has_the_same_boundary(extra):
    # extra=0: the bracket count (128) and the walk (129); 100: the walk
    # among siblings; _WALK_LIMIT: past the walk's limit, the second parse.
    ok, deep = padded(lists(MAX_DEPTH - 1), extra), padded(lists(MAX_DEPTH), extra)
    assert parse_json(ok) == orjson.loads(ok)
    with pytest.raises(NotJson):
        parse_json(deep)


def test_the_deep_branch_is_found_anywhere():
    deep = lists(MAX_DEPTH)
    for data in (b"[" + deep + b",1]", b"[1," + deep + b"]", b'{"a":[],"b":{"c":' + deep + b"}}"):
        with pytest.raises(NotJson):
            parse_json(data)


def test_brackets_inside_strings_are_not_nesting():
    data = orjson.dumps({"content": "[{" * 400, "x": [["y"]]})
    assert parse_json(data) == {"content": "[{" * 400, "x": [["y"]]}
    data = orjson.dumps({"content": "[" * 2000})  # past the walk's limit: the second parse
    assert parse_json(data) == {"content": "[" * 2000}


@pytest.mark.parametrize("depth", [1025, 5000, 100_000])
def test_past_orjsons_own_limit_is_not_json(depth):
    with pytest.raises(NotJson):
        parse_json(lists(depth))


@pytest.mark.parametrize("data", [b"", b"   ", b"{", b"1],[2", b"[1],[2]", b'{"a":1}{"b":2}', b"nul",
                                  b"\xff", b'{"a":1,}', b"[" * 300 + b"]" * 299])
def test_not_one_json_value(data):
    with pytest.raises(NotJson):
        parse_json(data)


@pytest.mark.parametrize("data", [b"1", b'"s"', b"null", b"[]", b"{}", b' {"a": [1, 2.5, null]} ',
                                  "{\"t\": \"\u4e2d\u6587\"}".encode()])
def test_scalars_and_small_values(data):
    assert parse_json(data) == orjson.loads(data)


def test_too_deep_counts_containers():
    assert not too_deep("x") and not too_deep(1)
    assert not too_deep([], 1) and too_deep([[]], 1)
    assert not too_deep({"a": {"b": 1}}, 2) and too_deep({"a": {"b": {}}}, 2)
    # Beyond Python's recursion limit: the walk is a loop.
    assert too_deep(orjson.loads(lists(1024)), 1000)


def test_json_object_reads_objects_sent_as_json():
    app = Flask(__name__)
    with app.test_request_context("/", method="POST", data=b'{"a": 1}', content_type="application/json"):
        assert json_object(100) == {"a": 1}
    with app.test_request_context("/", method="POST", data=b"[1]", content_type="application/json"):
        assert json_object(100) is None
    with app.test_request_context("/", method="POST", data=dicts(MAX_DEPTH + 1), content_type="application/json"):
        assert json_object(10_000) is None
    with app.test_request_context("/", method="POST", data=b'{"a": 1}', content_type="text/plain"):
        assert json_object(100) is None
    with app.test_request_context("/", method="POST", data=b'{"a": 1}', content_type="application/json"):
        with pytest.raises(BodyTooLarge):
            json_object(7)
