"""A client that hangs up mid-stream: the upstream connection is dropped
within a second, and the request is billed for the prompt and what was
relayed: never zero, never the whole reservation."""
from __future__ import annotations

import json
import socket
import time

from tests.fakes.upstream_client import directive


def open_stream(stack, raw: str, text: str) -> socket.socket:
    body = json.dumps({"model": "fake-model", "stream": True,
                       "messages": [{"role": "user", "content": text}]}).encode()
    sock = socket.create_connection(("127.0.0.1", int(stack.url.rsplit(":", 1)[1])), timeout=10)
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Authorization: Bearer " + raw.encode() + b"\r\nContent-Type: application/json\r\n"
                 b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    return sock


def read_events(sock: socket.socket, count: int) -> bytes:
    seen = b""
    while seen.count(b"data: ") < count:
        data = sock.recv(4096)
        assert data, "stream ended early"
        seen += data
    return seen


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_disconnect_mid_stream_closes_upstream_and_bills_what_was_sent(stack, upstream):
    raw, _, account = stack.new_key(10_000_000)
    text = "tell me a long story " + directive(reply=" ".join(["token"] * 60), chunks=60, delay=0.25)
    sock = open_stream(stack, raw, text)
    head = read_events(sock, 4)
    assert b"200 OK" in head
    sock.close()
    closed_at = time.time()

    stats = wait_for(lambda: (s := upstream.stats())["aborted"] and s)
    assert stats["last_abort_at"] - closed_at < 1.0
    assert stats["completed"] == 0

    log = wait_for(lambda: stack.logs(account))[0]
    assert log.status == 499 and log.error_code == "client_disconnected"
    assert log.estimated is True
    assert log.prompt_tokens > 0
    assert 3 <= log.completion_tokens < 60
    hold = -[e.amount for e in stack.entries(account) if e.kind == "reserve"][0]
    assert 0 < log.credits < hold
    assert stack.balance(account) == 10_000_000 - log.credits
    assert stack.verify() == []
