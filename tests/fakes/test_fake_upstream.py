"""Tests of the fake upstream itself: a real process, spoken to with requests and the official SDKs."""
from __future__ import annotations

import json
import socket
import threading
import time

import pytest
import requests

from tests.fakes.upstream_client import FakeUpstream, directive

MODEL = "gpt-4o-mini"
CLAUDE = "claude-fake-1"


@pytest.fixture(scope="module")
def fake():
    with FakeUpstream() as f:
        yield f


@pytest.fixture(autouse=True)
def _reset(fake):
    fake.reset()
    yield


@pytest.fixture()
def http():
    s = requests.Session()
    s.trust_env = False
    yield s
    s.close()


def chat(http, fake, content, path="/v1/chat/completions", timeout=10, **extra):
    body = {"model": MODEL, "messages": [{"role": "user", "content": content}], **extra}
    return http.post(fake.url + path, json=body, timeout=timeout, stream=bool(extra.get("stream")))


def claude(http, fake, content, path="/v1/messages", timeout=10, **extra):
    body = {"model": CLAUDE, "max_tokens": 100, "messages": [{"role": "user", "content": content}], **extra}
    return http.post(fake.url + path, json=body, timeout=timeout, stream=bool(extra.get("stream")))


def openai_events(resp):
    """Parsed `data:` payloads of an OpenAI SSE stream; '[DONE]' kept as the string."""
    out = []
    for line in resp.iter_lines():
        if line.startswith(b"data: "):
            payload = line[6:]
            out.append("[DONE]" if payload == b"[DONE]" else json.loads(payload))
        else:
            assert line == b"", line
    return out


def anthropic_events(resp):
    """(event name, data) pairs of an Anthropic SSE stream, checking name == data.type."""
    out, name = [], None
    for line in resp.iter_lines():
        if line.startswith(b"event: "):
            name = line[7:].decode()
        elif line.startswith(b"data: "):
            data = json.loads(line[6:])
            assert data["type"] == name
            out.append((name, data))
            name = None
        else:
            assert line == b"", line
    return out


def content_of(events):
    return "".join(e["choices"][0]["delta"].get("content") or "" for e in events
                   if e != "[DONE]" and e["choices"])


# ---------------------------------------------------------------- process & basics

def test_process_prints_port_and_stops_on_sigterm():
    f = FakeUpstream().start()
    try:
        assert f.url == f"http://127.0.0.1:{f.port}" and f.base_url_v1 == f.url + "/v1"
        assert requests.get(f.url + "/_control/stats", timeout=5).json()["calls"] == 0
    finally:
        t0 = time.monotonic()
        code = f.stop()
    assert code == 0 and time.monotonic() - t0 < 3


def test_openai_non_stream_shape(fake, http):
    r = chat(http, fake, "hi there")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    j = r.json()
    assert j["id"].startswith("chatcmpl-") and j["object"] == "chat.completion" and j["model"] == MODEL
    assert isinstance(j["created"], int)
    msg = j["choices"][0]["message"]
    assert msg["role"] == "assistant" and msg["content"] == "Hello from the fake upstream."
    assert "tool_calls" not in msg and "reasoning_content" not in msg
    assert j["choices"][0]["finish_reason"] == "stop"
    # 2 words + 3 for the one message; 5 chunks (one per word)
    assert j["usage"]["prompt_tokens"] == 5 and j["usage"]["completion_tokens"] == 5
    assert j["usage"]["total_tokens"] == 10 and j["usage"]["prompt_tokens_details"] == {
        "cached_tokens": 0, "audio_tokens": 0}


def test_prompt_tokens_count_words_of_all_messages(fake, http):
    body = {"model": MODEL, "messages": [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "one two"}, {"type": "text", "text": "three"},
                                     {"type": "image_url", "image_url": {"url": "data:x"}}]},
        {"role": "assistant", "content": None, "tool_calls": []},
    ]}
    j = http.post(fake.base_url_v1 + "/chat/completions", json=body, timeout=5).json()
    assert j["usage"]["prompt_tokens"] == 2 + 3 + 3 * 3
    a = http.post(fake.url + "/v1/messages", timeout=5, json={
        "model": CLAUDE, "max_tokens": 10, "system": [{"type": "text", "text": "be brief"}],
        "messages": [{"role": "user", "content": "one two three"}]}).json()
    assert a["usage"]["input_tokens"] == 2 + 3 + 3 + 3  # the system prompt counts as a message


def test_openai_stream_sequence_without_usage(fake, http):
    r = chat(http, fake, "hi", stream=True)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/event-stream")
    assert r.headers["Transfer-Encoding"] == "chunked"
    ev = openai_events(r)
    assert ev[-1] == "[DONE]"
    chunks = ev[:-1]
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == MODEL and "usage" not in c
               for c in chunks)
    assert len({c["id"] for c in chunks}) == 1 and chunks[0]["id"].startswith("chatcmpl-")
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    pieces = [c["choices"][0]["delta"]["content"] for c in chunks[1:-1]]
    assert pieces == ["Hello", " from", " the", " fake", " upstream."]
    assert chunks[-1]["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])


def test_openai_stream_include_usage(fake, http):
    ev = openai_events(chat(http, fake, "a b c", stream=True, stream_options={"include_usage": True}))
    assert ev[-1] == "[DONE]"
    usage_chunk = ev[-2]
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"]["prompt_tokens"] == 6 and usage_chunk["usage"]["completion_tokens"] == 5
    assert usage_chunk["usage"]["total_tokens"] == 11
    assert all(c["usage"] is None for c in ev[:-2])  # like OpenAI: null usage on the other chunks
    assert ev[-3]["choices"][0]["finish_reason"] == "stop"


def test_each_sse_event_is_its_own_http_chunk(fake):
    """Raw socket read: every event arrives as a separate chunked-encoding chunk."""
    body = json.dumps({"model": MODEL, "stream": True, "messages": [
        {"role": "user", "content": directive(chunks=3)}]}).encode()
    s = socket.create_connection(("127.0.0.1", fake.port), timeout=5)
    s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
    raw = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        raw += d
    s.close()
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in head
    chunks = []
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        chunks.append(rest[:size])
        rest = rest[size + 2:]
    assert len(chunks) == 1 + 3 + 1 + 1  # role, 3 content, finish, [DONE]
    assert all(c.startswith(b"data: ") and c.endswith(b"\n\n") and c.count(b"\n\n") == 1 for c in chunks)


# ---------------------------------------------------------------- directives

@pytest.mark.parametrize("n", [1, 2, 5, 12])
def test_chunks_exact_count(fake, http, n):
    ev = openai_events(chat(http, fake, directive(chunks=n), stream=True))
    content = [c for c in ev[1:-2]]
    assert len(content) == n
    text = content_of(ev)
    j = chat(http, fake, directive(chunks=n)).json()
    assert j["choices"][0]["message"]["content"] == text
    assert j["usage"]["completion_tokens"] == n
    if n <= 5:
        assert text == "Hello from the fake upstream."


def test_reply_and_directive_anywhere(fake, http):
    body = {"model": MODEL, "messages": [
        {"role": "system", "content": "sys " + directive(reply="from system")},
        {"role": "user", "content": [{"type": "text", "text": "hello"}]}]}
    j = http.post(fake.base_url_v1 + "/chat/completions", json=body, timeout=5).json()
    assert j["choices"][0]["message"]["content"] == "from system"
    # later directives override earlier ones; nested brackets inside the JSON are fine
    body["messages"][1]["content"].append({"type": "text", "text": directive(reply="[[x]] later")})
    j = http.post(fake.base_url_v1 + "/chat/completions", json=body, timeout=5).json()
    assert j["choices"][0]["message"]["content"] == "[[x]] later"
    assert fake.last_request()["directive"] == {"reply": "[[x]] later"}


def test_directive_in_anthropic_system_and_blocks(fake, http):
    body = {"model": CLAUDE, "max_tokens": 5, "system": "S " + directive(reply="sys reply"),
            "messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}]}
    j = http.post(fake.url + "/v1/messages", json=body, timeout=5).json()
    assert j["content"] == [{"type": "text", "text": "sys reply"}]
    body["system"] = "S"
    body["messages"][0]["content"].append({"type": "text", "text": directive(reply="block reply")})
    j = http.post(fake.url + "/v1/messages", json=body, timeout=5).json()
    assert j["content"][0]["text"] == "block reply"


def test_bad_directive_is_400(fake, http):
    r = chat(http, fake, "[[fake {not json}]]")
    assert r.status_code == 400 and "bad directive" in r.json()["error"]["message"]
    r = chat(http, fake, directive(chunkz=3))
    assert r.status_code == 400 and "chunkz" in r.json()["error"]["message"]
    r = claude(http, fake, "[[fake {\"reply\": \"x\"}")
    assert r.status_code == 400 and r.json()["type"] == "error"
    assert chat(http, fake, directive(mode="slow")).status_code == 200  # "mode" is a free label


def test_echo(fake, http):
    body = {"model": MODEL, "messages": [
        {"role": "user", "content": "first"}, {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "repeat me please " + directive(echo=True)}]}
    j = http.post(fake.base_url_v1 + "/chat/completions", json=body, timeout=5).json()
    assert j["choices"][0]["message"]["content"] == "repeat me please"
    a = claude(http, fake, [{"type": "text", "text": directive(echo=True) + " echo this"}]).json()
    assert a["content"][0]["text"] == "echo this"


def test_delay_between_events(fake, http):
    t0 = time.monotonic()
    r = chat(http, fake, directive(chunks=4, delay=0.1), stream=True)
    stamps = []
    for line in r.iter_lines():
        if line:
            stamps.append(time.monotonic() - t0)
    assert len(stamps) == 7  # role + 4 + finish + [DONE]
    assert stamps[-1] >= 0.6 - 0.02
    assert all(b - a >= 0.07 for a, b in zip(stamps, stamps[1:]))


def test_first_byte_delay(fake, http):
    t0 = time.monotonic()
    r = chat(http, fake, directive(first_byte_delay=0.4))
    assert r.status_code == 200 and time.monotonic() - t0 >= 0.38
    t0 = time.monotonic()
    r = chat(http, fake, directive(first_byte_delay=0.4), stream=True)  # headers come after the delay
    assert time.monotonic() - t0 >= 0.38
    assert openai_events(r)[-1] == "[DONE]"


def test_hang_then_client_timeout_counts_as_abort(fake, http):
    t0 = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        chat(http, fake, directive(hang=True), timeout=(5, 0.3))
    s = fake.wait_for(lambda s: s["aborted"] == 1 and s["in_flight"] == 0, timeout=2)
    assert s["completed"] == 0 and s["last_abort_at"] >= time.time() - 5
    assert time.monotonic() - t0 < 2


def test_usage_false(fake, http):
    j = chat(http, fake, directive(usage=False)).json()
    assert "usage" not in j
    ev = openai_events(chat(http, fake, directive(usage=False), stream=True,
                            stream_options={"include_usage": True}))
    assert ev[-1] == "[DONE]" and all(c == "[DONE]" or c["choices"] for c in ev)
    assert all(c == "[DONE]" or not c.get("usage") for c in ev)
    a = claude(http, fake, directive(usage=False)).json()
    assert "usage" not in a
    aev = anthropic_events(claude(http, fake, directive(usage=False), stream=True))
    assert "usage" not in aev[0][1]["message"] and "usage" not in aev[-2][1]


def test_usage_override(fake, http):
    u = {"prompt_tokens": 100, "completion_tokens": 7, "cached_tokens": 20}
    j = chat(http, fake, directive(usage=u)).json()["usage"]
    assert (j["prompt_tokens"], j["completion_tokens"], j["total_tokens"]) == (100, 7, 107)
    assert j["prompt_tokens_details"]["cached_tokens"] == 20
    ev = openai_events(chat(http, fake, directive(usage=u), stream=True, stream_options={"include_usage": True}))
    assert ev[-2]["usage"]["prompt_tokens"] == 100 and ev[-2]["usage"]["completion_tokens"] == 7
    au = {"input_tokens": 50, "output_tokens": 9, "cache_read_input_tokens": 30, "cache_creation_input_tokens": 4}
    a = claude(http, fake, directive(usage=au)).json()["usage"]
    assert a == au
    aev = anthropic_events(claude(http, fake, directive(usage=au), stream=True))
    start_usage = aev[0][1]["message"]["usage"]
    assert start_usage == dict(au, output_tokens=1)
    assert aev[-2][0] == "message_delta" and aev[-2][1]["usage"] == {"output_tokens": 9}


@pytest.mark.parametrize("dialect", ["openai", "anthropic"])
def test_status_error_shapes(fake, http, dialect):
    d = directive(status=429, error_message="slow down", retry_after=7)
    for stream in (False, True):
        r = (chat if dialect == "openai" else claude)(http, fake, d, stream=stream)
        assert r.status_code == 429 and r.headers["Retry-After"] == "7"
        assert r.headers["Content-Type"] == "application/json"
        j = r.json()
        if dialect == "openai":
            assert j["error"]["message"] == "slow down" and j["error"]["type"] and "code" in j["error"]
        else:
            assert j["type"] == "error" and j["error"] == {"type": "rate_limit_error", "message": "slow down"}
    r = (chat if dialect == "openai" else claude)(http, fake, directive(status=500))
    assert r.status_code == 500 and "Retry-After" not in r.headers
    r = claude(http, fake, directive(status=529))
    assert r.status_code == 529 and r.json()["error"]["type"] == "overloaded_error"
    assert fake.stats()["completed"] == fake.stats()["calls"]


@pytest.mark.parametrize("dialect", ["openai", "anthropic"])
def test_die_after_truncates_stream(fake, http, dialect):
    got = []
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        if dialect == "openai":
            r = chat(http, fake, directive(chunks=6, die_after=2), stream=True,
                     stream_options={"include_usage": True})
        else:
            r = claude(http, fake, directive(chunks=6, die_after=2), stream=True)
        for line in r.iter_lines():
            if line.startswith(b"data: "):
                got.append(line[6:])
    assert b"[DONE]" not in got
    if dialect == "openai":
        assert len(got) == 1 + 2  # role chunk + 2 content chunks
        assert all(json.loads(g)["choices"][0]["finish_reason"] is None for g in got)
    else:
        types = [json.loads(g)["type"] for g in got]
        assert types == ["message_start", "ping", "content_block_start", "content_block_delta",
                         "content_block_delta"]
    s = fake.wait_for(lambda s: s["in_flight"] == 0)
    assert s["died"] == 1 and s["aborted"] == 0 and s["completed"] == 0


def test_error_after_sends_provider_error_event(fake, http):
    ev = openai_events(chat(http, fake, directive(chunks=4, error_after=1, error_message="boom"), stream=True))
    assert ev[-1]["error"]["message"] == "boom" and "[DONE]" not in ev
    aev = anthropic_events(claude(http, fake, directive(error_after=0), stream=True))
    assert aev[-1] == ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"},
                                 "request_id": aev[-1][1]["request_id"]})


def test_abort_detected_when_client_closes_slow_stream(fake, http):
    r = chat(http, fake, directive(chunks=50, delay=0.15), stream=True)
    lines = r.iter_lines()  # keep the iterator referenced: dropping it would close the connection
    seen = 0
    while seen < 2:
        if next(lines).startswith(b"data: "):
            seen += 1
    s = fake.stats()
    assert s["in_flight"] == 1 and s["aborted"] == 0
    r.close()
    t0 = time.monotonic()
    s = fake.wait_for(lambda s: s["aborted"] == 1, timeout=1.0, interval=0.01)
    assert time.monotonic() - t0 < 1.0
    assert s["in_flight"] == 0 and s["completed"] == 0 and s["last_abort_at"] is not None
    time.sleep(0.4)
    assert fake.stats()["aborted"] == 1


def test_abort_detected_on_write_failure_without_delay(fake):
    """Peer reset while the server writes a fast, long stream: the write fails, the loop stops."""
    body = json.dumps({"model": MODEL, "stream": True, "messages": [
        {"role": "user", "content": directive(chunks=200000)}]}).encode()
    s = socket.create_connection(("127.0.0.1", fake.port), timeout=5)
    s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    s.recv(4096)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST on close
    s.close()
    st = fake.wait_for(lambda st: st["in_flight"] == 0, timeout=5)
    assert st["aborted"] == 1 and st["completed"] == 0


def test_in_flight_and_max_in_flight(fake, http):
    def one():
        openai_events(chat(requests, fake, directive(chunks=3, delay=0.1), stream=True))

    threads = [threading.Thread(target=one) for _ in range(5)]
    for t in threads:
        t.start()
    fake.wait_for(lambda s: s["in_flight"] == 5, timeout=3)
    for t in threads:
        t.join()
    s = fake.wait_for(lambda s: s["in_flight"] == 0)
    assert s["max_in_flight"] == 5 and s["completed"] == 5 and s["calls"] == 5


def _tool_frags(ev):
    return [tc for c in ev if c != "[DONE]" and c["choices"]
            for tc in c["choices"][0]["delta"].get("tool_calls") or []]


def test_openai_tools_non_stream_and_stream(fake, http):
    tools = [{"name": "get_weather", "arguments": {"city": "Paris", "days": [1, 2]}},
             {"name": "get_time", "arguments": {"tz": "UTC"}}]
    j = chat(http, fake, directive(tools=tools, reply="")).json()
    msg = j["choices"][0]
    assert msg["finish_reason"] == "tool_calls" and msg["message"]["content"] is None
    calls = msg["message"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["get_weather", "get_time"]
    assert json.loads(calls[0]["function"]["arguments"]) == tools[0]["arguments"]
    assert all(c["id"].startswith("call_") and c["type"] == "function" for c in calls)

    ev = openai_events(chat(http, fake, directive(tools=tools, reply="", arg_chunks=4), stream=True))
    frags = _tool_frags(ev)
    assert len(frags) == 2 * (1 + 4)
    for i, tool in enumerate(tools):
        mine = [f for f in frags if f["index"] == i]
        assert mine[0]["id"].startswith("call_") and mine[0]["function"]["name"] == tool["name"]
        assert all("id" not in f for f in mine[1:])
        assert json.loads("".join(f["function"]["arguments"] for f in mine)) == tool["arguments"]
    assert ev[-2]["choices"][0]["finish_reason"] == "tool_calls"


@pytest.mark.parametrize("style", ["omit", "zero"])
def test_tool_index_styles(fake, http, style):
    tools = [{"name": "a", "arguments": {"x": 1}}, {"name": "b", "arguments": {"y": 2}}]
    frags = _tool_frags(openai_events(chat(http, fake, directive(tools=tools, tool_index_style=style),
                                           stream=True)))
    if style == "omit":
        assert all("index" not in f for f in frags)
    else:
        assert all(f["index"] == 0 for f in frags)
    ids = [f["id"] for f in frags if "id" in f]
    assert len(ids) == 2 and len(set(ids)) == 2


def test_reply_then_tools_and_anthropic_tool_use(fake, http):
    tools = [{"name": "lookup", "arguments": {"q": "x"}}]
    j = chat(http, fake, directive(tools=tools, reply="Let me check.")).json()["choices"][0]["message"]
    assert j["content"] == "Let me check." and j["tool_calls"][0]["function"]["name"] == "lookup"
    a = claude(http, fake, directive(tools=tools, reply="Let me check.")).json()
    assert a["stop_reason"] == "tool_use"
    assert a["content"][0] == {"type": "text", "text": "Let me check."}
    assert a["content"][1]["type"] == "tool_use" and a["content"][1]["id"].startswith("toolu_")
    assert a["content"][1]["input"] == {"q": "x"}
    aev = anthropic_events(claude(http, fake, directive(tools=tools, reply="", arg_chunks=2), stream=True))
    names = [n for n, _ in aev]
    assert names == ["message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta",
                     "content_block_stop", "message_delta", "message_stop"]
    assert aev[2][1]["content_block"]["type"] == "tool_use" and aev[2][1]["index"] == 0
    parts = [d["delta"]["partial_json"] for n, d in aev if n == "content_block_delta"]
    assert all(d["delta"]["type"] == "input_json_delta" for n, d in aev if n == "content_block_delta")
    assert json.loads("".join(parts)) == {"q": "x"}
    assert aev[-2][1]["delta"]["stop_reason"] == "tool_use"


def test_reasoning(fake, http):
    d = directive(reasoning="think step by step", reply="ok")
    j = chat(http, fake, d).json()
    assert j["choices"][0]["message"]["reasoning_content"] == "think step by step"
    assert j["usage"]["completion_tokens_details"]["reasoning_tokens"] == 4
    ev = openai_events(chat(http, fake, d, stream=True))
    deltas = [c["choices"][0]["delta"] for c in ev[1:-2]]
    assert "".join(x["reasoning_content"] for x in deltas[:4]) == "think step by step"
    assert [x.get("content") for x in deltas[4:]] == ["ok"]
    a = claude(http, fake, d).json()
    assert a["content"][0]["type"] == "thinking" and a["content"][0]["thinking"] == "think step by step"
    assert a["content"][0]["signature"] and a["content"][1] == {"type": "text", "text": "ok"}
    aev = anthropic_events(claude(http, fake, d, stream=True))
    deltas = [x["delta"] for n, x in aev if n == "content_block_delta"]
    assert [x["type"] for x in deltas] == ["thinking_delta"] * 4 + ["signature_delta", "text_delta"]


def test_finish_reason_override(fake, http):
    j = chat(http, fake, directive(finish_reason="length")).json()
    assert j["choices"][0]["finish_reason"] == "length"
    ev = openai_events(chat(http, fake, directive(finish_reason="length"), stream=True))
    assert ev[-2]["choices"][0]["finish_reason"] == "length"
    assert claude(http, fake, directive(finish_reason="length")).json()["stop_reason"] == "max_tokens"
    assert claude(http, fake, directive(stop_reason="refusal")).json()["stop_reason"] == "refusal"


def test_usage_with_finish_and_combined_final(fake, http):
    ev = openai_events(chat(http, fake, directive(usage_with_finish=True, chunks=2), stream=True,
                            stream_options={"include_usage": True}))
    last = ev[-2]
    assert last["choices"][0]["finish_reason"] == "stop" and last["usage"]["completion_tokens"] == 2
    assert len(ev) == 1 + 2 + 1 + 1  # no separate usage chunk
    ev = openai_events(chat(http, fake, directive(combined_final=True, chunks=3), stream=True))
    assert len(ev) == 1 + 3 + 1
    last = ev[-2]["choices"][0]
    assert last["delta"] == {"content": " upstream."} and last["finish_reason"] == "stop"
    ev = openai_events(chat(http, fake, directive(combined_final=True, usage_with_finish=True, chunks=1),
                            stream=True))
    assert ev[-2]["choices"][0]["delta"]["content"] and ev[-2]["usage"]["prompt_tokens"] > 0


# ---------------------------------------------------------------- Anthropic wire

def test_anthropic_non_stream_shape(fake, http):
    r = claude(http, fake, "hello there", path="/v1/messages?beta=true")
    assert r.status_code == 200
    j = r.json()
    assert j["id"].startswith("msg_") and j["type"] == "message" and j["role"] == "assistant"
    assert j["model"] == CLAUDE and j["stop_reason"] == "end_turn" and j["stop_sequence"] is None
    assert j["content"] == [{"type": "text", "text": "Hello from the fake upstream."}]
    assert j["usage"] == {"input_tokens": 5, "output_tokens": 5, "cache_read_input_tokens": 0,
                          "cache_creation_input_tokens": 0}
    assert fake.last_request()["query"] == "beta=true"


def test_anthropic_stream_sequence(fake, http):
    aev = anthropic_events(claude(http, fake, directive(chunks=3), stream=True))
    names = [n for n, _ in aev]
    assert names == ["message_start", "ping", "content_block_start"] + ["content_block_delta"] * 3 + [
        "content_block_stop", "message_delta", "message_stop"]
    start = aev[0][1]["message"]
    assert start["content"] == [] and start["stop_reason"] is None and start["model"] == CLAUDE
    assert aev[2][1] == {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    assert "".join(d["delta"]["text"] for n, d in aev if n == "content_block_delta") == \
        "Hello from the fake upstream."
    assert aev[-2][1]["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}
    assert aev[-2][1]["usage"] == {"output_tokens": 3}


def test_count_tokens_and_models(fake, http):
    r = http.post(fake.url + "/v1/messages/count_tokens", timeout=5,
                  json={"model": CLAUDE, "system": "a b", "messages": [{"role": "user", "content": "c d e"}]})
    assert r.json() == {"input_tokens": 2 + 3 + 3 + 3}
    j = http.get(fake.base_url_v1 + "/models", timeout=5).json()
    assert j["object"] == "list" and MODEL in [m["id"] for m in j["data"]]
    fake.configure(models=["m1", "m2"])
    assert [m["id"] for m in http.get(fake.base_url_v1 + "/models", timeout=5).json()["data"]] == ["m1", "m2"]


def test_mounted_base_path_and_unknown_paths(fake, http):
    r = chat(http, fake, "hi", path="/compatible-mode/v1/chat/completions")
    assert r.status_code == 200 and r.json()["object"] == "chat.completion"
    assert claude(http, fake, "hi", path="/api/anthropic/v1/messages").json()["type"] == "message"
    assert chat(http, fake, "hi", path="/chat/completions").status_code == 404
    assert http.get(fake.base_url_v1 + "/chat/completions", timeout=5).status_code == 405
    s = fake.stats()
    assert s["by_path"] == {"/compatible-mode/v1/chat/completions": 1, "/api/anthropic/v1/messages": 1,
                            "/chat/completions": 1, "/v1/chat/completions": 1}


def test_strict_validation(fake, http):
    r = http.post(fake.url + "/v1/messages", timeout=5,
                  json={"model": CLAUDE, "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 400 and r.json()["error"]["message"] == "max_tokens: Field required"
    r = http.post(fake.base_url_v1 + "/chat/completions", timeout=5, json={"messages": [{"role": "user"}]})
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    r = http.post(fake.base_url_v1 + "/chat/completions", timeout=5, data=b"{nope",
                  headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and fake.last_request()["raw_body"] == "{nope"
    fake.configure(strict=False)
    r = http.post(fake.url + "/v1/messages", timeout=5,
                  json={"model": CLAUDE, "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 200


# ---------------------------------------------------------------- control API & auth

def test_stats_and_records(fake, http):
    http.post(fake.base_url_v1 + "/chat/completions", timeout=5, headers={"Authorization": "Bearer sk-one"},
              json={"model": "m-a", "messages": [{"role": "user", "content": "x"}]})
    http.post(fake.url + "/v1/messages", timeout=5, headers={"x-api-key": "sk-ant-two", "anthropic-version": "1"},
              json={"model": "m-b", "max_tokens": 3, "messages": [{"role": "user", "content": "y"}]})
    fake.stats()
    fake.requests()
    s = fake.stats()
    assert s["calls"] == 2 and s["by_model"] == {"m-a": 1, "m-b": 1} and s["completed"] == 2
    assert s["by_path"] == {"/v1/chat/completions": 1, "/v1/messages": 1}
    assert s["in_flight"] == 0 and s["max_in_flight"] == 1 and s["aborted"] == 0 and s["last_abort_at"] is None
    reqs = fake.requests()
    assert [r["path"] for r in reqs] == ["/v1/chat/completions", "/v1/messages"]
    assert reqs[0]["headers"]["authorization"] == "Bearer sk-one" and reqs[0]["method"] == "POST"
    assert reqs[1]["headers"]["x-api-key"] == "sk-ant-two" and reqs[1]["headers"]["anthropic-version"] == "1"
    assert reqs[1]["body"]["model"] == "m-b" and reqs[1]["received_at"] <= time.time()
    assert fake.last_request() == reqs[1]
    assert fake.requests(limit=1) == [reqs[1]]
    fake.reset()
    assert fake.stats()["calls"] == 0 and fake.requests() == [] and fake.last_request() is None


def test_request_log_keeps_last_500(fake, http):
    for i in range(510):
        http.post(fake.base_url_v1 + "/chat/completions", timeout=5,
                  json={"model": MODEL, "messages": [{"role": "user", "content": f"n{i}"}]})
    reqs = fake.requests()
    assert len(reqs) == 500 and reqs[0]["body"]["messages"][0]["content"] == "n10"
    assert fake.stats()["calls"] == 510


def test_config_defaults_and_directive_precedence(fake, http):
    cfg = fake.configure(reply="configured reply", chunks=2)
    assert cfg == {"reply": "configured reply", "chunks": 2}
    assert chat(http, fake, "x").json()["choices"][0]["message"]["content"] == "configured reply"
    assert chat(http, fake, directive(reply="directive wins")).json()["choices"][0]["message"]["content"] == \
        "directive wins"
    assert len(openai_events(chat(http, fake, "x", stream=True))) == 1 + 2 + 1 + 1
    fake.configure(chunks=None)
    assert fake.config() == {"reply": "configured reply"}
    with pytest.raises(RuntimeError, match="unknown config key"):
        fake.configure(bogus=1)
    fake.reset()
    assert fake.config() == {}
    assert chat(http, fake, "x").json()["choices"][0]["message"]["content"] == "Hello from the fake upstream."


def test_require_key(fake, http):
    fake.configure(require_key="sk-abcdefgh12345678cd")
    r = http.post(fake.base_url_v1 + "/chat/completions", timeout=5, headers={"Authorization": "Bearer sk-wrongkeyxxcd"},
                  json={"model": MODEL, "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 401
    assert r.json() == {"error": {"message": "Incorrect API key provided: sk-wr***cd. You can find your API key at "
                                             "https://platform.openai.com/account/api-keys.",
                                  "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}
    assert fake.last_request()["headers"]["authorization"] == "Bearer sk-wrongkeyxxcd"
    r = http.post(fake.base_url_v1 + "/chat/completions", timeout=5,
                  json={"model": MODEL, "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 401 and r.json()["error"]["type"] == "invalid_request_error"
    r = http.post(fake.url + "/v1/messages", timeout=5, headers={"x-api-key": "nope"},
                  json={"model": CLAUDE, "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 401 and r.json()["error"] == {"type": "authentication_error",
                                                          "message": "invalid x-api-key"}
    for h in ({"Authorization": "Bearer sk-abcdefgh12345678cd"}, {"x-api-key": "sk-abcdefgh12345678cd"}):
        assert http.post(fake.base_url_v1 + "/chat/completions", timeout=5, headers=h,
                         json={"model": MODEL, "messages": [{"role": "user", "content": "x"}]}).status_code == 200
    assert http.get(fake.base_url_v1 + "/models", timeout=5).status_code == 401
    assert fake.stats()["calls"] == 6


# ---------------------------------------------------------------- official SDKs

def test_openai_sdk_create_and_stream(fake):
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=fake.base_url_v1, api_key="sk-sdk-test", max_retries=0)
    resp = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    assert resp.choices[0].message.content == "Hello from the fake upstream."
    assert resp.usage.prompt_tokens == 4 and resp.usage.completion_tokens == 5
    stream = client.chat.completions.create(model=MODEL, stream=True, stream_options={"include_usage": True},
                                            messages=[{"role": "user", "content": directive(chunks=4)}])
    text, usage = "", None
    for chunk in stream:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
        if chunk.usage:
            usage = chunk.usage
    assert text == "Hello from the fake upstream." and usage.completion_tokens == 4
    tools = [{"name": "get_weather", "arguments": {"city": "Oslo"}}, {"name": "get_time", "arguments": {}}]
    with client.chat.completions.stream(model=MODEL, messages=[{"role": "user", "content": directive(tools=tools)}],
                                        ) as s:
        final = s.get_final_completion()
    calls = final.choices[0].message.tool_calls
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("get_weather", {"city": "Oslo"}), ("get_time", {})]
    assert final.choices[0].message.content == "Hello from the fake upstream."
    assert fake.last_request()["headers"]["authorization"] == "Bearer sk-sdk-test"
    err = pytest.raises(openai.RateLimitError, client.chat.completions.create, model=MODEL,
                        messages=[{"role": "user", "content": directive(status=429)}])
    assert err.value.status_code == 429


def test_anthropic_sdk_create_and_stream(fake):
    anthropic = pytest.importorskip("anthropic")
    client = anthropic.Anthropic(base_url=fake.url, api_key="sk-ant-sdk", max_retries=0)
    msg = client.messages.create(model=CLAUDE, max_tokens=50, messages=[{"role": "user", "content": "hi"}])
    assert msg.content[0].text == "Hello from the fake upstream." and msg.stop_reason == "end_turn"
    assert msg.usage.input_tokens == 4 and msg.usage.output_tokens == 5
    d = directive(reasoning="hmm let me see", reply="Sure thing.", tools=[{"name": "calc", "arguments": {"x": 2}}])
    with client.messages.stream(model=CLAUDE, max_tokens=50, messages=[{"role": "user", "content": d}]) as s:
        text = "".join(s.text_stream)
        final = s.get_final_message()
    assert text == "Sure thing."
    assert [b.type for b in final.content] == ["thinking", "text", "tool_use"]
    assert final.content[0].thinking == "hmm let me see" and final.content[0].signature
    assert final.content[2].name == "calc" and final.content[2].input == {"x": 2}
    assert final.stop_reason == "tool_use" and final.usage.output_tokens == 4 + 2 + 3
    sent = fake.last_request()["headers"]  # this SDK version sends Bearer auth; older ones x-api-key
    assert "sk-ant-sdk" in (sent.get("x-api-key"), sent.get("authorization", "")[7:])
    raw = client.messages.create(model=CLAUDE, max_tokens=50, stream=True,
                                 messages=[{"role": "user", "content": directive(chunks=2)}])
    types = [e.type for e in raw]
    assert types[0] == "message_start" and types[-1] == "message_stop" and types.count("content_block_delta") == 2
    with pytest.raises(anthropic.InternalServerError) as err:
        client.messages.create(model=CLAUDE, max_tokens=5,
                               messages=[{"role": "user", "content": directive(status=529)}])
    assert err.value.status_code == 529


# ---------------------------------------------------------------- edge cases

def test_die_after_zero_and_beyond_deltas(fake, http):
    for n, expect in ((0, 1), (99, 1 + 5 + 0)):  # role only / every content chunk, no finish
        got = []
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            for line in chat(http, fake, directive(die_after=n), stream=True).iter_lines():
                if line.startswith(b"data: "):
                    got.append(json.loads(line[6:]))
        assert len(got) == expect and all(c["choices"][0]["finish_reason"] is None for c in got)
    assert fake.wait_for(lambda s: s["in_flight"] == 0)["died"] == 2


def test_empty_reply_and_status_validation(fake, http):
    ev = openai_events(chat(http, fake, directive(reply="", chunks=4), stream=True))
    assert len(ev) == 3 and content_of(ev) == ""
    j = chat(http, fake, directive(reply="")).json()
    assert j["choices"][0]["message"]["content"] == "" and j["usage"]["completion_tokens"] == 0
    assert chat(http, fake, directive(status=302)).status_code == 400
    fake.configure(status=503)
    assert chat(http, fake, "x").status_code == 503
    assert chat(http, fake, directive(status=200)).status_code == 200  # a directive can restore normal


def test_import_does_not_monkey_patch():
    import gevent.monkey

    import tests.fakes.fake_upstream  # noqa: F401

    assert not gevent.monkey.is_module_patched("socket")


# ---------------------------------------------------------------- OpenAI Responses API

def responses(http, fake, input, path="/v1/responses", timeout=10, **extra):
    body = {"model": MODEL, "input": input, **extra}
    return http.post(fake.url + path, json=body, timeout=timeout, stream=bool(extra.get("stream")))


def responses_events(resp):
    """Parsed events of a Responses SSE stream, checking `event:` == data.type and the SDK's event types."""
    pydantic = pytest.importorskip("pydantic")
    types = pytest.importorskip("openai.types.responses")
    adapter = pydantic.TypeAdapter(types.ResponseStreamEvent)
    out, name = [], None
    for line in resp.iter_lines():
        if line.startswith(b"event: "):
            name = line[7:].decode()
        elif line.startswith(b"data: "):
            data = json.loads(line[6:])
            assert data["type"] == name
            adapter.validate_python(data)  # faithful to the SDK's types
            out.append(data)
            name = None
        else:
            assert line == b"", line
    return out


def valid_response(j):
    types = pytest.importorskip("openai.types.responses")
    return types.Response.model_validate(j)


def test_responses_non_stream_shape(fake, http):
    r = responses(http, fake, "hi there", instructions="be brief")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    j = r.json()
    resp = valid_response(j)
    assert j["id"].startswith("resp_") and j["object"] == "response" and j["status"] == "completed"
    assert j["model"] == MODEL and j["instructions"] == "be brief" and j["incomplete_details"] is None
    [msg] = j["output"]
    assert msg["type"] == "message" and msg["role"] == "assistant" and msg["id"].startswith("msg_")
    assert msg["content"] == [{"type": "output_text", "text": "Hello from the fake upstream.", "annotations": [],
                               "logprobs": []}]
    assert resp.output_text == "Hello from the fake upstream."
    # instructions (2 words + 3) + the input string (2 words + 3); 5 pieces
    assert j["usage"] == {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                          "output_tokens": 5, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 15}
    rec = fake.last_request()
    assert rec["path"] == "/v1/responses" and rec["body"]["input"] == "hi there"
    assert fake.stats()["by_path"] == {"/v1/responses": 1}


def test_responses_directives_and_tokens_from_input_items(fake, http):
    items = [
        {"role": "user", "content": [{"type": "input_text", "text": "one two"}, {"type": "input_image",
                                                                                "image_url": "data:x"}]},
        {"type": "message", "role": "assistant",
         "content": [{"type": "output_text", "text": "three " + directive(reply="ignored"), "annotations": []}]},
        {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{\"x\": 1}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "four " + directive(reply="from the tool")},
        {"type": "reasoning", "id": "rs_1", "summary": []},
    ]
    j = responses(http, fake, items).json()
    valid_response(j)
    assert j["output"][0]["content"][0]["text"] == "from the tool"  # later directives win
    # words: 2 + (1 + 2 directive words) + (1 + 4 directive words); 3 per message-like item (3 of them:
    # the function_call and reasoning items do not count)
    assert j["usage"]["input_tokens"] == 2 + 3 + 5 + 3 * 3
    j = responses(http, fake, [{"type": "function_call_output", "call_id": "c",
                                "output": [{"type": "input_text", "text": directive(reply="parts")}]}],
                  instructions=directive(chunks=1)).json()
    assert j["output"][0]["content"][0]["text"] == "parts" and j["usage"]["output_tokens"] == 1
    j = responses(http, fake, [{"role": "user", "content": "say this " + directive(echo=True)}]).json()
    assert j["output"][0]["content"][0]["text"] == "say this"


def test_responses_stream_sequence(fake, http):
    r = responses(http, fake, directive(reply="one two three", reasoning="let me think"), stream=True)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/event-stream")
    ev = responses_events(r)
    assert [e["sequence_number"] for e in ev] == list(range(len(ev)))
    assert [e["type"] for e in ev] == [
        "response.created", "response.in_progress",
        "response.output_item.added", "response.reasoning_summary_part.added",
        *["response.reasoning_summary_text.delta"] * 3, "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done", "response.output_item.done",
        "response.output_item.added", "response.content_part.added", *["response.output_text.delta"] * 3,
        "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed"]
    created, done = ev[0]["response"], ev[-1]["response"]
    assert created["status"] == "in_progress" and created["output"] == [] and created["usage"] is None
    assert done["id"] == created["id"] and done["status"] == "completed"
    assert "".join(e["delta"] for e in ev if e["type"] == "response.output_text.delta") == "one two three"
    assert [i["type"] for i in done["output"]] == ["reasoning", "message"]
    assert done["output"][0]["summary"] == [{"type": "summary_text", "text": "let me think"}]
    assert done["output"] == [e["item"] for e in ev if e["type"] == "response.output_item.done"]
    assert valid_response(done).output_text == "one two three"
    assert done["usage"]["output_tokens"] == 6 and done["usage"]["output_tokens_details"]["reasoning_tokens"] == 3
    assert fake.stats()["completed"] == 1


def test_responses_tools_non_stream_and_stream(fake, http):
    tools = [{"name": "get_weather", "arguments": {"city": "Oslo"}, "id": "call_fixed"},
             {"name": "get_time", "arguments": {}}]
    j = responses(http, fake, directive(reply="", tools=tools)).json()
    valid_response(j)
    assert [(i["type"], i["name"], json.loads(i["arguments"])) for i in j["output"]] == [
        ("function_call", "get_weather", {"city": "Oslo"}), ("function_call", "get_time", {})]
    assert j["output"][0]["call_id"] == "call_fixed" and j["output"][0]["id"].startswith("fc_")
    assert j["output"][1]["call_id"].startswith("call_") and j["status"] == "completed"
    ev = responses_events(responses(http, fake, directive(tools=tools, arg_chunks=2), stream=True))
    kinds = [e["type"] for e in ev]
    assert kinds.count("response.function_call_arguments.delta") == 4
    assert kinds.count("response.function_call_arguments.done") == 2
    added = [e for e in ev if e["type"] == "response.output_item.added"]
    assert [(e["output_index"], e["item"]["type"]) for e in added] == [
        (0, "message"), (1, "function_call"), (2, "function_call")]
    assert added[1]["item"]["arguments"] == "" and added[1]["item"]["status"] == "in_progress"
    args = "".join(e["delta"] for e in ev if e["type"] == "response.function_call_arguments.delta"
                   and e["item_id"] == added[1]["item"]["id"])
    assert json.loads(args) == {"city": "Oslo"}
    final = ev[-1]["response"]
    assert [i["type"] for i in final["output"]] == ["message", "function_call", "function_call"]
    assert final["usage"]["output_tokens"] == 5 + 4


def test_responses_usage_override_and_off(fake, http):
    u = {"input_tokens": 510, "cached_tokens": 100, "cache_write_tokens": 400, "output_tokens": 5,
         "reasoning_tokens": 3}
    want = {"input_tokens": 510, "input_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 400},
            "output_tokens": 5, "output_tokens_details": {"reasoning_tokens": 3}, "total_tokens": 515}
    assert responses(http, fake, directive(usage=u)).json()["usage"] == want
    assert responses_events(responses(http, fake, directive(usage=u), stream=True))[-1]["response"]["usage"] == want
    chat_names = {"prompt_tokens": 7, "completion_tokens": 2, "cache_read_input_tokens": 1, "total_tokens": 99}
    got = responses(http, fake, directive(usage=chat_names)).json()["usage"]
    assert (got["input_tokens"], got["output_tokens"], got["input_tokens_details"]["cached_tokens"],
            got["total_tokens"]) == (7, 2, 1, 99)
    j = responses(http, fake, directive(usage=False)).json()
    assert j["usage"] is None
    valid_response(j)


def test_responses_length_is_incomplete(fake, http):
    j = responses(http, fake, directive(finish_reason="length")).json()
    valid_response(j)
    assert j["status"] == "incomplete" and j["incomplete_details"] == {"reason": "max_output_tokens"}
    assert j["output"][0]["status"] == "incomplete"
    ev = responses_events(responses(http, fake, directive(finish_reason="length"), stream=True))
    assert ev[-1]["type"] == "response.incomplete"
    assert ev[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    assert "response.completed" not in [e["type"] for e in ev]


def test_responses_errors(fake, http):
    for stream in (False, True):
        r = responses(http, fake, directive(status=429, error_message="slow down", retry_after=3), stream=stream)
        assert r.status_code == 429 and r.headers["Retry-After"] == "3"
        assert r.headers["Content-Type"] == "application/json"
        assert r.json()["error"] == {"message": "slow down", "type": "requests", "param": None,
                                     "code": "rate_limit_exceeded"}
    ev = responses_events(responses(http, fake, directive(chunks=4, error_after=2, error_message="boom"),
                                    stream=True))
    assert [e["type"] for e in ev][-3:] == ["response.output_text.delta"] * 2 + ["response.failed"]
    assert [e["sequence_number"] for e in ev] == list(range(len(ev)))
    failed = ev[-1]["response"]
    assert failed["status"] == "failed" and failed["error"] == {"code": "server_error", "message": "boom"}
    assert failed["id"] == ev[0]["response"]["id"]
    assert responses(http, fake, "x [[fake {bad]]").status_code == 400
    r = responses(http, fake, directive(nope=1))
    assert r.status_code == 400 and "nope" in r.json()["error"]["message"]
    r = http.post(fake.url + "/v1/responses", json={"model": MODEL}, timeout=5)
    assert r.status_code == 400 and r.json()["error"]["message"] == "Missing required parameter: 'input'."
    r = http.post(fake.url + "/v1/responses", json={"input": "hi"}, timeout=5)
    assert r.status_code == 400 and "model" in r.json()["error"]["message"]
    assert http.get(fake.url + "/v1/responses", timeout=5).status_code == 405
    fake.configure(require_key="sk-right-key-123")
    r = http.post(fake.url + "/v1/responses", json={"model": MODEL, "input": "hi"}, timeout=5,
                  headers={"Authorization": "Bearer sk-wrong-key-456"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"


def test_responses_die_after(fake, http):
    got = []
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        r = responses(http, fake, directive(chunks=6, die_after=2), stream=True)
        for line in r.iter_lines():
            if line.startswith(b"data: "):
                got.append(json.loads(line[6:])["type"])
    assert got == ["response.created", "response.in_progress", "response.output_item.added",
                   "response.content_part.added", "response.output_text.delta", "response.output_text.delta"]
    s = fake.wait_for(lambda s: s["in_flight"] == 0)
    assert s["died"] == 1 and s["completed"] == 0


def test_responses_mounted_prefix(fake, http):
    r = responses(http, fake, "hi", path="/openai/v1/responses")
    assert r.status_code == 200 and r.json()["object"] == "response"


def test_openai_sdk_responses(fake):
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=fake.base_url_v1, api_key="sk-sdk-test", max_retries=0)
    resp = client.responses.create(model=MODEL, input="hi", instructions="be nice")
    assert resp.output_text == "Hello from the fake upstream." and resp.usage.input_tokens == 4 + 5
    tools = [{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {}}}]
    with client.responses.stream(model=MODEL, tools=tools, input=[{"role": "user", "content": directive(
            reply="Checking.", tools=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])}]) as s:
        deltas = [e.delta for e in s if e.type == "response.output_text.delta"]
        final = s.get_final_response()
    assert "".join(deltas) == "Checking." == final.output_text
    call = final.output[-1]
    assert call.type == "function_call" and json.loads(call.arguments) == {"city": "Oslo"}
    assert fake.last_request()["body"]["tools"] == tools
    err = pytest.raises(openai.RateLimitError, client.responses.create, model=MODEL, input=directive(status=429))
    assert err.value.status_code == 429


# ---------------------------------------------------------------- Gemini (generateContent)

GEMINI = "gemini-2.5-flash"


def gemini(http, fake, text, *, stream=False, system=None, key=None, **extra):
    body = {"contents": [{"role": "user", "parts": [{"text": text}]}], **extra}
    if system is not None:
        body["systemInstruction"] = {"parts": [{"text": system}]}
    action = "streamGenerateContent?alt=sse" if stream else "generateContent"
    headers = {"x-goog-api-key": key} if key else {}
    return http.post(f"{fake.url}/v1beta/models/{GEMINI}:{action}", json=body, headers=headers, timeout=10,
                     stream=stream)


def gemini_events(resp):
    out = []
    for line in resp.iter_lines():
        if line.startswith(b"data: "):
            out.append(json.loads(line[6:]))
        else:
            assert line == b"", line
    return out


def test_gemini_generate_content_shape(fake, http):
    r = gemini(http, fake, "hi there", system=directive(reply="Hi from Gemini."))
    assert r.status_code == 200
    j = r.json()
    (candidate,) = j["candidates"]
    assert candidate["content"] == {"role": "model", "parts": [{"text": "Hi from Gemini."}]}
    assert candidate["finishReason"] == "STOP"
    # systemInstruction counts as one message, like a system message.
    words = len(directive(reply="Hi from Gemini.").split()) + 2
    assert j["usageMetadata"]["promptTokenCount"] == words + 6
    assert j["usageMetadata"]["candidatesTokenCount"] == 3
    assert j["usageMetadata"]["totalTokenCount"] == words + 6 + 3
    assert j["modelVersion"] == GEMINI and j["responseId"]
    assert fake.stats()["by_model"] == {GEMINI: 1}


def test_gemini_stream_ends_at_eof_with_usage_on_the_last_chunk(fake, http):
    r = gemini(http, fake, directive(reply="one two three", reasoning="hmm ok"), stream=True)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = gemini_events(r)
    parts = [p for e in events for p in e["candidates"][0]["content"]["parts"]]
    assert [p["text"] for p in parts if p.get("thought")] == ["hmm", " ok"]
    assert "".join(p["text"] for p in parts if not p.get("thought")) == "one two three"
    assert all("usageMetadata" not in e and "finishReason" not in e["candidates"][0] for e in events[:-1])
    last = events[-1]
    assert last["candidates"][0]["finishReason"] == "STOP"
    assert last["usageMetadata"]["candidatesTokenCount"] == 3 and last["usageMetadata"]["thoughtsTokenCount"] == 2


def test_gemini_usage_overrides_in_both_vocabularies(fake, http):
    native = {"promptTokenCount": 510, "candidatesTokenCount": 2, "thoughtsTokenCount": 3,
              "cachedContentTokenCount": 100, "toolUsePromptTokenCount": 7}
    u = gemini(http, fake, directive(usage=native)).json()["usageMetadata"]
    assert {k: u[k] for k in native} == native and u["totalTokenCount"] == 510 + 2 + 3 + 7
    alias = {"prompt_tokens": 510, "completion_tokens": 5, "reasoning_tokens": 3, "cached_tokens": 100}
    u = gemini(http, fake, directive(usage=alias)).json()["usageMetadata"]
    assert (u["promptTokenCount"], u["candidatesTokenCount"], u["thoughtsTokenCount"],
            u["cachedContentTokenCount"]) == (510, 2, 3, 100)
    assert "usageMetadata" not in gemini(http, fake, directive(usage=False)).json()


def test_gemini_tools_are_whole_function_calls_with_ids_and_a_signature(fake, http):
    tools = [{"name": "get_weather", "id": "fc-1", "arguments": {"city": "Paris"}},
             {"name": "get_time", "arguments": {"tz": "CET"}}]
    j = gemini(http, fake, directive(reply="", tools=tools)).json()
    parts = j["candidates"][0]["content"]["parts"]
    assert parts[0]["functionCall"] == {"id": "fc-1", "name": "get_weather", "args": {"city": "Paris"}}
    assert parts[0]["thoughtSignature"] and "thoughtSignature" not in parts[1]
    assert parts[1]["functionCall"]["name"] == "get_time" and parts[1]["functionCall"]["id"]
    events = gemini_events(gemini(http, fake, directive(reply="", tools=tools), stream=True))
    calls = [p["functionCall"] for e in events for p in e["candidates"][0]["content"]["parts"] if "functionCall" in p]
    assert [c["args"] for c in calls] == [{"city": "Paris"}, {"tz": "CET"}]


def test_gemini_directives_in_function_responses_and_model_turns(fake, http):
    body = {"contents": [
        {"role": "user", "parts": [{"text": "weather?"}]},
        {"role": "model", "parts": [{"functionCall": {"id": "c1", "name": "w", "args": {}}}]},
        {"role": "user", "parts": [{"functionResponse": {"id": "c1", "name": "w", "response": {
            "output": "sunny " + directive(reply="It is sunny.")}}}]}]}
    j = http.post(f"{fake.url}/v1beta/models/{GEMINI}:generateContent", json=body, timeout=10).json()
    assert j["candidates"][0]["content"]["parts"] == [{"text": "It is sunny."}]


def test_gemini_errors_are_google_shaped(fake, http):
    r = gemini(http, fake, directive(status=429, error_message="quota", retry_after=3))
    assert r.status_code == 429 and r.headers["Retry-After"] == "3"
    assert r.json() == {"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}}
    r = http.post(f"{fake.url}/v1beta/models/{GEMINI}:generateContent",
                  json={"model": GEMINI, "contents": [{"role": "user", "parts": [{"text": "x"}]}]}, timeout=10)
    assert r.status_code == 400 and 'Unknown name "model"' in r.json()["error"]["message"]
    r = http.post(f"{fake.url}/v1beta/models/{GEMINI}:generateContent", json={"contents": []}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"
    events = gemini_events(gemini(http, fake, directive(reply="a b c", error_after=1), stream=True))
    assert events[-1] == {"error": {"code": 503, "message": "The model is overloaded. Please try again later.",
                                    "status": "UNAVAILABLE"}}


def test_gemini_key_in_header_or_query(fake, http):
    fake.configure(require_key="AIza-fake-key")
    assert gemini(http, fake, "x").status_code == 403
    r = gemini(http, fake, "x", key="AIza-wrong")
    assert r.status_code == 400 and r.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    assert gemini(http, fake, "x", key="AIza-fake-key").status_code == 200
    r = http.post(f"{fake.url}/v1beta/models/{GEMINI}:generateContent?key=AIza-fake-key",
                  json={"contents": [{"role": "user", "parts": [{"text": "x"}]}]}, timeout=10)
    assert r.status_code == 200
    assert fake.last_request()["headers"].get("x-goog-api-key") is None


# ---------------------------------------------------------------- legacy completions

def test_legacy_completions_whole_and_streamed(fake, http):
    body = {"model": MODEL, "prompt": "Say " + directive(reply="one two"), "max_tokens": 5}
    j = http.post(fake.base_url_v1 + "/completions", json=body, timeout=10).json()
    assert j["object"] == "text_completion" and j["choices"][0]["text"] == "one two"
    assert j["choices"][0]["finish_reason"] == "stop" and j["usage"]["completion_tokens"] == 2
    r = http.post(fake.base_url_v1 + "/completions", json={**body, "stream": True,
                                                          "stream_options": {"include_usage": True}},
                  timeout=10, stream=True)
    events = openai_events(r)
    assert events[-1] == "[DONE]"
    assert "".join(c["text"] for e in events[:-1] for c in e["choices"]) == "one two"
    assert events[-2]["choices"] == [] and events[-2]["usage"]["completion_tokens"] == 2
    assert http.post(fake.base_url_v1 + "/completions", json={"model": MODEL}, timeout=10).status_code == 400
