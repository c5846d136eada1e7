"""Oversized and deeply nested bodies over real HTTP, at every door and both
JSON APIs: 413 or 400 in the door's own shape, never a 500, whether the body
came with Content-Length or chunked, and no credits move."""
from __future__ import annotations

import json
import socket

import pytest
import requests

from tests.blueprints.dashboard.conftest import start

LIMIT = 256 * 1024  # MAX_REQUEST_BYTES for this server: room for 100,000-deep JSON
TOP_DEEP = b"[" * 100_000 + b"]" * 100_000


def nested(depth: int, leaf="deep"):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def schema(depth: int) -> dict:
    node: dict = {"type": "string"}
    for _ in range(depth):
        node = {"type": "object", "properties": {"x": node}}
    return node


@pytest.fixture(scope="module")
def site(tmp_path_factory, fake_upstream):
    stack = start("sqlite:///" + str(tmp_path_factory.mktemp("bodies") / "tollgate.db"),
                  fake_upstream.base_url_v1, MAX_REQUEST_BYTES=str(LIMIT))
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def key(site):
    return site.new_key(1_000_000)


@pytest.fixture(scope="module")
def web(site):
    return site.user()


def chunks(data: bytes, size: int = 16 * 1024):
    """A generator body, which requests sends chunked, without Content-Length."""
    for i in range(0, len(data), size):
        yield data[i:i + size]


def oversized(body: dict) -> bytes:
    """Valid JSON, padded with whitespace past the limit."""
    data = json.dumps(body).encode()
    return data + b" " * (LIMIT + 1 - len(data))


# The doors and APIs: path, a valid small body, how to send, how to check.
def send(site, key, web, door: str, data, *, headers=None) -> requests.Response:
    headers = {"Content-Type": "application/json", **(headers or {})}
    if door == "tokens":
        return web.api("POST", "/api/tokens", data=data, headers=headers)
    if door == "helper":
        return requests.post(site.url + "/api/quota/query", data=data, headers=headers, timeout=60)
    path = {"chat": "/v1/chat/completions", "alias": "/api/v1/chat/completions", "messages": "/v1/messages",
            "count": "/v1/messages/count_tokens"}[door]
    headers["Authorization"] = f"Bearer {key[0]}"
    return requests.post(site.url + path, data=data, headers=headers, timeout=60)


def assert_shape(door: str, response, status: int) -> None:
    assert response.status_code == status, response.text[:500]
    body = response.json()
    if door in ("messages", "count"):
        assert body["type"] == "error" and set(body) == {"type", "error"}
        assert body["error"]["type"] == ("request_too_large" if status == 413 else "invalid_request_error")
    elif door in ("chat", "alias"):
        code = "request_too_large" if status == 413 else "invalid_request"
        assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["type"] == code
    else:
        assert body["ok"] is False and body["error"]["code"] == "invalid_payload"
    assert body["error"]["message"]


SMALL = {"chat": {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]},
         "messages": {"model": "fake-model", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}}
SMALL.update(alias=SMALL["chat"], count=SMALL["messages"], helper={"apiKey": "sk-unknown"},
             tokens={"displayName": "x"})
DOORS = ["chat", "alias", "messages", "count", "helper", "tokens"]


@pytest.fixture
def unmoved(site, key, upstream):
    """Nothing reached the upstream and no credits moved."""
    account_id = key[2]
    before = (site.balance(account_id), len(site.entries(account_id)))
    yield
    assert (site.balance(account_id), len(site.entries(account_id))) == before
    assert upstream.stats()["calls"] == 0


@pytest.mark.parametrize("door", DOORS)
def test_oversized_with_content_length_is_413(site, key, web, door, unmoved):
    assert_shape(door, send(site, key, web, door, oversized(SMALL[door])), 413)


@pytest.mark.parametrize("door", DOORS)
def test_oversized_chunked_is_413_not_a_cut_body(site, key, web, door, unmoved):
    assert_shape(door, send(site, key, web, door, chunks(oversized(SMALL[door]))), 413)


@pytest.mark.parametrize("door", DOORS)
def test_100000_deep_json_is_400(site, key, web, door, unmoved):
    assert_shape(door, send(site, key, web, door, TOP_DEEP), 400)
    assert_shape(door, send(site, key, web, door, b'{"a": ' + TOP_DEEP[:-1]), 400)  # deep and cut short


@pytest.mark.parametrize("door", ["chat", "alias", "messages", "count"])
@pytest.mark.parametrize("where", ["content", "tool schema"])
def test_600_deep_content_or_schema_is_400(site, key, web, door, where, unmoved):
    body = dict(SMALL[door])
    if where == "content":
        body["messages"] = [{"role": "user", "content": nested(600)}]
    elif door in ("chat", "alias"):
        body["tools"] = [{"type": "function", "function": {"name": "f", "parameters": schema(300)}}]
    else:
        body["tools"] = [{"name": "f", "input_schema": schema(300)}]
    assert_shape(door, send(site, key, web, door, json.dumps(body)), 400)


@pytest.mark.parametrize("door", ["helper", "tokens"])
def test_deep_values_in_the_json_apis_are_400(site, key, web, door):
    body = dict(SMALL[door], displayName=nested(600), apiKey=nested(600))
    assert_shape(door, send(site, key, web, door, json.dumps(body)), 400)


def test_a_chunked_body_of_exactly_the_limit_is_read(site):
    data = json.dumps({"apiKey": "sk-unknown"}).encode()
    response = requests.post(site.url + "/api/quota/query", data=chunks(data + b" " * (LIMIT - len(data))),
                             headers={"Content-Type": "application/json"}, timeout=60)
    assert response.status_code == 400 and response.json()["error"]["code"] == "INVALID_KEY"


def test_moderate_nesting_still_relays(site, key, upstream):
    body = dict(SMALL["chat"], tools=[{"type": "function", "function": {"name": "f", "parameters": schema(40)}}])
    response = requests.post(site.url + "/v1/chat/completions", json=body, timeout=60,
                             headers={"Authorization": f"Bearer {key[0]}"})
    assert response.status_code == 200, response.text[:500]


def test_the_413_comes_without_waiting_for_the_end_of_an_endless_chunked_body(site, key):
    """The chunked body never ends: the worker stops reading at the limit and answers."""
    with socket.create_connection(("127.0.0.1", site.server.port), timeout=30) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer " + key[0].encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b"x" * 8192
        for _ in range(LIMIT // len(piece) + 2):
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        head = sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 413"), head[:200]
