"""A tiny OpenAI Responses server that records what a client sends.

Used to capture the requests real clients (Codex CLI, the OpenAI Agents SDK)
make to ``POST /v1/responses``; ``tests/support/capture_clients.py`` turns the
recordings into the fixtures in tests/fixtures/. It is not Tollgate and not the
fake upstream: it only answers the minimal valid Responses shape, streamed
(every event Codex and openai-python read, in order, closed after
``response.completed``) or not.

    with ResponsesRecorder([text("hi")]) as server:
        ...  # point the client at server.base_url ("http://127.0.0.1:<port>/v1")
        server.requests  # [{"method", "path", "headers", "body"}, ...]

Answers are used one per ``POST .../responses``; the last one repeats.
"""
from __future__ import annotations

import itertools
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REDACTED = "<redacted>"
SECRET_HEADERS = {"authorization", "x-api-key", "api-key", "openai-api-key"}


def text(reply: str) -> dict:
    """An answer: one assistant message with ``reply``."""
    return {"text": reply}


def function_call(name: str, arguments: dict | str, call_id: str | None = None) -> dict:
    """An answer: one ``function_call`` output item."""
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"function_call": {"name": name, "arguments": args, "call_id": call_id or "call_" + uuid.uuid4().hex[:20]}}


def usage(input_tokens: int = 11, output_tokens: int = 3) -> dict:
    return {"input_tokens": input_tokens, "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": output_tokens, "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": input_tokens + output_tokens}


def redact_headers(headers: dict) -> dict:
    return {k: (REDACTED if k in SECRET_HEADERS else v) for k, v in headers.items()}


class _Answer:
    """The items and events of one response."""

    def __init__(self, spec: dict, model: str):
        self.id = "resp_" + uuid.uuid4().hex
        self.model = model
        self.spec = spec

    def base(self, status: str, output: list, with_usage: bool) -> dict:
        return {"id": self.id, "object": "response", "created_at": 1_700_000_000, "status": status,
                "model": self.model, "output": output, "parallel_tool_calls": False, "tool_choice": "auto",
                "tools": [], "error": None, "incomplete_details": None, "instructions": None,
                "metadata": {}, "temperature": None, "top_p": None,
                "usage": usage() if with_usage else None}

    def item(self) -> dict:
        if "function_call" in self.spec:
            call = self.spec["function_call"]
            return {"type": "function_call", "id": "fc_" + uuid.uuid4().hex[:20], "status": "completed",
                    "call_id": call["call_id"], "name": call["name"], "arguments": call["arguments"]}
        return {"type": "message", "id": "msg_" + uuid.uuid4().hex[:20], "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": self.spec["text"], "annotations": []}]}

    def response(self) -> dict:
        return self.base("completed", [self.item()], True)

    def events(self):
        item = self.item()
        seq = itertools.count()

        def ev(kind: str, **fields):
            return kind, {"type": kind, "sequence_number": next(seq), **fields}

        yield ev("response.created", response=self.base("in_progress", [], False))
        yield ev("response.in_progress", response=self.base("in_progress", [], False))
        if item["type"] == "function_call":
            yield ev("response.output_item.added", output_index=0, item={**item, "arguments": "",
                                                                         "status": "in_progress"})
            yield ev("response.function_call_arguments.delta", item_id=item["id"], output_index=0,
                     delta=item["arguments"])
            yield ev("response.function_call_arguments.done", item_id=item["id"], output_index=0,
                     arguments=item["arguments"])
        else:
            reply = item["content"][0]["text"]
            empty = {"type": "output_text", "text": "", "annotations": []}
            yield ev("response.output_item.added", output_index=0,
                     item={**item, "content": [], "status": "in_progress"})
            yield ev("response.content_part.added", item_id=item["id"], output_index=0, content_index=0,
                     part=empty)
            yield ev("response.output_text.delta", item_id=item["id"], output_index=0, content_index=0,
                     delta=reply, logprobs=[])
            yield ev("response.output_text.done", item_id=item["id"], output_index=0, content_index=0,
                     text=reply, logprobs=[])
            yield ev("response.content_part.done", item_id=item["id"], output_index=0, content_index=0,
                     part=item["content"][0])
        yield ev("response.output_item.done", output_index=0, item=item)
        yield ev("response.completed", response=self.base("completed", [item], True))


class ResponsesRecorder:
    def __init__(self, answers: list[dict], host: str = "127.0.0.1"):
        self.answers = list(answers) or [text("ok")]
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._served = 0
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _record(self, body):
                entry = {"method": self.command, "path": self.path,
                         "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                with recorder._lock:
                    recorder.requests.append(entry)

            def _json(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._record(None)
                if self.path.split("?")[0].endswith("/models"):
                    return self._json(200, {"object": "list", "data": [], "models": []})
                self._json(404, {"error": {"message": "not found", "type": "invalid_request_error",
                                           "param": None, "code": "not_found"}})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = {"raw": raw.decode("utf-8", "replace")}
                self._record(body)
                if not self.path.split("?")[0].endswith("/responses") or not isinstance(body, dict):
                    return self._json(404, {"error": {"message": "not found", "type": "invalid_request_error",
                                                      "param": None, "code": "not_found"}})
                answer = _Answer(recorder._next_answer(), body.get("model") or "unknown")
                if not body.get("stream"):
                    return self._json(200, answer.response())
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                for kind, data in answer.events():
                    self.wfile.write(f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()
                self.close_connection = True

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _next_answer(self) -> dict:
        with self._lock:
            spec = self.answers[min(self._served, len(self.answers) - 1)]
            self._served += 1
            return spec

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def responses_requests(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"].split("?")[0].endswith("/responses")]

    def start(self) -> "ResponsesRecorder":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "ResponsesRecorder":
        return self.start()

    def __exit__(self, *exc):
        self.stop()
