"""The fake upstream's WSGI application: routing, control API, counters, streaming."""
from __future__ import annotations

import socket
import time
from collections import deque
from http import HTTPStatus
from urllib.parse import parse_qs

import gevent
import orjson
from gevent.socket import wait_read

from . import anthropic_wire, audio_wire, dashscope_wire, embeddings_wire, gemini_wire, images_wire, jimeng_wire, \
    kling_wire, mj_wire, openai_wire, responses_wire, suno_wire, videos_wire
from .behaviour import CONFIG_ONLY, DEFAULTS, HANG_SECONDS, DirectiveError, Plan, count_prompt_tokens, \
    message_contents, rand_id, validate
from .openai_wire import DELTA, PRE

SOCKET_KEY = "fake_upstream.socket"  # set by server.Handler: the connection's socket
MAX_RECORDED = 500
DEFAULT_MODELS = ["gpt-4o-mini", "gpt-4o", "deepseek-reasoner", "claude-sonnet-4-5", "claude-3-5-haiku-latest"]
_CONFIG_KEYS = {**DEFAULTS, **CONFIG_ONLY}


def _status_line(code: int) -> str:
    if code == 529:
        return "529 Overloaded"
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Unknown"


_STATUS = {c: _status_line(c) for c in range(100, 600)}
_JSON = ("Content-Type", "application/json")
_SSE_HEADERS = [("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache")]


class Ctx:
    """Per-request bookkeeping: in-flight accounting, abort detection, abrupt close."""

    __slots__ = ("app", "sock", "outcome", "peer_sent_data", "done")

    def __init__(self, app, sock):
        self.app = app
        self.sock = sock
        self.outcome = None
        self.peer_sent_data = False
        self.done = False

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds``; return False early if the client closed the connection meanwhile."""
        if seconds <= 0:
            return True
        sock = self.sock
        if sock is None or self.peer_sent_data:
            gevent.sleep(seconds)
            return True
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            try:
                wait_read(sock.fileno(), timeout=remaining)
            except TimeoutError:  # socket.timeout: nothing to read, the client is still there
                return True
            except (OSError, ValueError):
                return False
            try:
                peeked = sock.recv(1, socket.MSG_PEEK)
            except OSError:
                return False
            if not peeked:
                return False  # EOF: the client went away
            # The client sent more bytes (pipelining): we cannot watch for EOF any more.
            self.peer_sent_data = True
            gevent.sleep(max(0.0, deadline - time.monotonic()))
            return True

    def abort(self):
        if self.outcome is None:
            self.outcome = "aborted"
            st = self.app.stats
            st["aborted"] += 1
            st["last_abort_at"] = time.time()

    def die(self):
        """Cut the TCP connection mid-response (FIN after the bytes already written)."""
        if self.outcome is None:
            self.outcome = "died"
            self.app.stats["died"] += 1
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def finish(self, exhausted: bool):
        if self.done:
            return
        self.done = True
        if self.outcome is None:
            if exhausted:
                self.outcome = "completed"
                self.app.stats["completed"] += 1
            else:  # the server stopped iterating early: a write to the client failed
                self.abort()
        self.app.stats["in_flight"] -= 1


class StreamBody:
    """WSGI iterable of SSE events; ``close()`` settles the request's outcome."""

    __slots__ = ("_it", "_ctx", "_exhausted")

    def __init__(self, it, ctx):
        self._it = it
        self._ctx = ctx
        self._exhausted = False

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._it)
        except StopIteration:
            self._exhausted = True
            raise

    def close(self):
        try:
            self._it.close()
        finally:
            self._ctx.finish(self._exhausted)


def drive_stream(events, plan: Plan, ctx: Ctx, error_event):
    b = plan.b
    fbd = HANG_SECONDS if b["hang"] else (b["first_byte_delay"] or 0.0)
    if fbd > 0 and not ctx.wait(fbd):
        ctx.abort()
        return
    delay = b["delay"] or 0.0
    die, err = b["die_after"], b["error_after"]
    if die is not None or err is not None:  # past the last delta: act before the final events
        n = plan.n_deltas
        die = None if die is None else min(die, n)
        err = None if err is None else min(err, n)
    sent = 0
    first = True
    for kind, data in events:
        if kind != PRE:
            if die is not None and sent >= die:
                ctx.die()
                return
            if err is not None and sent >= err:
                if delay > 0 and not ctx.wait(delay):
                    ctx.abort()
                    return
                yield error_event(plan)
                return
        if first:
            first = False
        elif delay > 0 and not ctx.wait(delay):
            ctx.abort()
            return
        yield data
        if kind == DELTA:
            sent += 1
    tail = b["tail_delay"] or 0.0
    if tail > 0:  # the terminating chunk follows the last event late, as its own write
        ctx.wait(tail)


class FakeUpstreamApp:
    """A plain WSGI callable; one instance holds the counters, the request log and the config."""

    def __init__(self):
        self.reset()

    def reset(self):
        in_flight = getattr(self, "stats", {}).get("in_flight", 0)
        self.stats = {"calls": 0, "by_path": {}, "by_model": {}, "in_flight": in_flight,
                      "max_in_flight": in_flight, "aborted": 0, "completed": 0, "died": 0,
                      "last_abort_at": None, "connections": 0}
        self.recorded = deque(maxlen=MAX_RECORDED)
        self.tasks = {}  # the task providers' (tasks_wire)
        self.config = {}
        self.behaviour_defaults = {}

    # ------------------------------------------------------------------ WSGI entry
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        if path.startswith("/_control/"):
            return self._control(environ, start_response, path)
        method = environ["REQUEST_METHOD"]
        raw = b""
        cl = environ.get("CONTENT_LENGTH")
        if cl or environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
            inp = environ["wsgi.input"]
            raw = inp.read(int(cl)) if cl else inp.read()
        body = None
        bad_json = False
        if raw:
            try:
                body = orjson.loads(raw)
            except orjson.JSONDecodeError:
                bad_json = True

        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k[:5] == "HTTP_"}
        if "CONTENT_TYPE" in environ:
            headers["content-type"] = environ["CONTENT_TYPE"]
        if cl:
            headers["content-length"] = cl
        rec = {"method": method, "path": path, "query": environ.get("QUERY_STRING", ""), "headers": headers,
               "body": body, "received_at": time.time()}
        if bad_json:
            rec["raw_body"] = raw.decode("utf-8", "replace")
        self.recorded.append(rec)
        st = self.stats
        st["calls"] += 1
        by_path = st["by_path"]
        by_path[path] = by_path.get(path, 0) + 1
        model = body.get("model") if isinstance(body, dict) else None
        if isinstance(model, str):
            by_model = st["by_model"]
            by_model[model] = by_model.get(model, 0) + 1
        st["in_flight"] += 1
        if st["in_flight"] > st["max_in_flight"]:
            st["max_in_flight"] = st["in_flight"]
        ctx = Ctx(self, environ.get(SOCKET_KEY))
        try:
            result = self._route(environ, start_response, method, path, body, raw, bad_json, rec, ctx)
        except BaseException:
            ctx.finish(False)
            raise
        if not isinstance(result, StreamBody):
            ctx.finish(True)
        return result

    # ------------------------------------------------------------------ provider routes
    def _route(self, environ, start_response, method, path, body, raw, bad_json, rec, ctx):
        if path.startswith("/mj/"):
            return mj_wire.handle(self, environ, start_response, method, path, body, raw, rec, ctx)
        if path.startswith("/suno/"):
            return suno_wire.handle(self, environ, start_response, method, path, body, raw, rec, ctx)
        if path.startswith(("/api/v1/services/aigc/", "/api/v1/tasks/", "/dashscope/files/")):
            return dashscope_wire.handle(self, environ, start_response, method, path, body, raw, rec, ctx)
        if path.startswith("/kling/"):
            return kling_wire.handle(self, environ, start_response, method, path, body, raw, rec, ctx)
        if path.startswith("/jimeng"):
            return jimeng_wire.handle(self, environ, start_response, method, path, body, raw, rec, ctx)
        if "/v1/videos" in path:
            return videos_wire.handle(self, environ, start_response, method, path, body, raw, rec, ctx)
        if "/v1/images/" in path:
            return images_wire.handle(self, environ, start_response, method, path, body, raw, rec, ctx)
        if "/v1beta/models/" in path:
            return self._gemini(environ, start_response, method, path, body, raw, bad_json, rec, ctx)
        i = path.rfind("/v1/")
        suffix = path[i:] if i >= 0 else path
        if suffix in ("/v1/audio/speech", "/v1/audio/transcriptions", "/v1/audio/translations"):
            return audio_wire.handle(self, environ, start_response, method, suffix, body, raw, rec, ctx)
        if suffix == "/v1/chat/completions":
            dialect, want = "openai", "POST"
        elif suffix == "/v1/responses":
            dialect, want = "responses", "POST"
        elif suffix == "/v1/completions":
            dialect, want = "completions", "POST"
        elif suffix == "/v1/messages":
            dialect, want = "anthropic", "POST"
        elif suffix == "/v1/messages/count_tokens":
            dialect, want = "anthropic", "POST"
        elif suffix == "/v1/models":
            dialect, want = "openai", "GET"
        elif suffix in embeddings_wire.PATHS:
            if method != "POST":
                return self._error(start_response, "openai", 405, f"Method {method} not allowed on {path}")
            denied = self._check_key(environ, start_response, "openai")
            if denied is not None:
                return denied
            status, out = embeddings_wire.answer(suffix, body, {**self.config, **self.behaviour_defaults})
            return self._json(start_response, status, out)
        else:
            dialect = "anthropic" if "/messages" in path else "openai"
            return self._error(start_response, dialect, 404, f"Unknown path {path}")
        if method != want:
            return self._error(start_response, dialect, 405, f"Method {method} not allowed on {path}")

        denied = self._check_key(environ, start_response, dialect)
        if denied is not None:
            return denied
        if suffix == "/v1/models":
            models = self.config.get("models") or DEFAULT_MODELS
            return self._json(start_response, 200, openai_wire.models_body(models))
        if bad_json or not isinstance(body, dict):
            return self._error(start_response, dialect, 400,
                               "We could not parse the JSON body of your request. (HINT: This likely means you "
                               "aren't using your HTTP library correctly.)")
        try:
            plan = Plan(body, dialect, self.behaviour_defaults, raw)
        except DirectiveError as e:
            return self._error(start_response, dialect, 400, str(e))
        rec["directive"] = plan.directive
        b = plan.b

        fbd = HANG_SECONDS if b["hang"] else (b["first_byte_delay"] or 0.0)
        stream = body.get("stream") is True and suffix != "/v1/messages/count_tokens"
        status = b["status"]
        if status and status != 200:
            if fbd > 0 and not ctx.wait(fbd):
                ctx.abort()
            extra = [("Retry-After", str(b["retry_after"]))] if b["retry_after"] is not None else []
            if dialect != "anthropic":
                err = openai_wire.error_body(status, b["error_message"], b["error_type"], b["error_code"])
            else:
                err = anthropic_wire.error_body(status, b["error_message"], b["error_type"])
            return self._json(start_response, status, err, extra)

        if self.config.get("strict", True):
            problem = _validate_request(body, dialect, suffix)
            if problem:
                return self._error(start_response, dialect, 400, problem)

        if suffix == "/v1/messages/count_tokens":
            n = count_prompt_tokens(message_contents(body, "anthropic"))
            return self._json(start_response, 200, orjson.dumps({"input_tokens": n}))

        model = body.get("model")
        if not stream:
            if fbd > 0 and not ctx.wait(fbd):
                ctx.abort()
            if dialect == "completions":
                out = openai_wire.text_completion_body(plan, model)
            elif dialect == "openai":
                out = openai_wire.completion_body(plan, model)
            elif dialect == "responses":
                out = responses_wire.response_body(plan, body, model)
            else:
                out = anthropic_wire.message_body(plan, model)
            return self._json(start_response, 200, out)

        if dialect == "completions":
            so = body.get("stream_options")
            include_usage = isinstance(so, dict) and so.get("include_usage") is True
            events = openai_wire.text_completion_events(plan, model, include_usage)
            err_ev, rid = openai_wire.stream_error_event, ("x-request-id", "req_" + rand_id())
        elif dialect == "openai":
            so = body.get("stream_options")
            include_usage = isinstance(so, dict) and so.get("include_usage") is True
            events = openai_wire.stream_events(plan, model, include_usage)
            err_ev, rid = openai_wire.stream_error_event, ("x-request-id", "req_" + rand_id())
        elif dialect == "responses":
            rs = responses_wire.Stream(plan, body, model)
            events = rs.events()
            err_ev, rid = rs.error_event, ("x-request-id", "req_" + rand_id())
        else:
            events = anthropic_wire.stream_events(plan, model)
            err_ev, rid = anthropic_wire.stream_error_event, ("request-id", "req_" + rand_id())
        start_response("200 OK", _SSE_HEADERS + [rid])
        return StreamBody(drive_stream(events, plan, ctx, err_ev), ctx)

    def _gemini(self, environ, start_response, method, path, body, raw, bad_json, rec, ctx):
        """`POST .../v1beta/models/{model}:generateContent` and
        `:streamGenerateContent?alt=sse`, the key in `x-goog-api-key` or `?key=`."""
        model, _, action = path.split("/v1beta/models/", 1)[1].replace("%3A", ":").partition(":")
        if method != "POST" or action not in ("generateContent", "streamGenerateContent"):
            return self._json(start_response, 404, gemini_wire.error_body(404, f"Unknown path {path}", "NOT_FOUND"))
        by_model = self.stats["by_model"]
        by_model[model] = by_model.get(model, 0) + 1
        rec["model"] = model
        query = parse_qs(environ.get("QUERY_STRING", ""))
        need = self.config.get("require_key")
        if need:
            presented = environ.get("HTTP_X_GOOG_API_KEY") or (query.get("key") or [None])[0]
            if not presented:
                return self._json(start_response, 403, gemini_wire.error_body(
                    403, "Method doesn't allow unregistered callers (callers without established identity). "
                         "Please use API Key or other form of API consumer identity to call this API."))
            if presented != need:
                return self._json(start_response, 400, gemini_wire.bad_key_body())
        if bad_json or not isinstance(body, dict):
            return self._json(start_response, 400, gemini_wire.error_body(400, "Invalid JSON payload received."))
        unknown = sorted(set(body) - gemini_wire.REQUEST_FIELDS)
        if unknown and self.config.get("strict", True):
            return self._json(start_response, 400, gemini_wire.error_body(
                400, f'Invalid JSON payload received. Unknown name "{unknown[0]}": Cannot find field.'))
        try:
            plan = Plan(body, "gemini", self.behaviour_defaults, raw)
        except DirectiveError as e:
            return self._json(start_response, 400, gemini_wire.error_body(400, str(e)))
        rec["directive"] = plan.directive
        b = plan.b
        fbd = HANG_SECONDS if b["hang"] else (b["first_byte_delay"] or 0.0)
        status = b["status"]
        if status and status != 200:
            if fbd > 0 and not ctx.wait(fbd):
                ctx.abort()
            extra = [("Retry-After", str(b["retry_after"]))] if b["retry_after"] is not None else []
            return self._json(start_response, status, gemini_wire.error_body(status, b["error_message"],
                                                                             b["error_type"]), extra)
        if self.config.get("strict", True) and not (isinstance(body.get("contents"), list) and body["contents"]):
            return self._json(start_response, 400, gemini_wire.error_body(
                400, "* GenerateContentRequest.contents: contents is not specified\n"))
        if action == "generateContent":
            if fbd > 0 and not ctx.wait(fbd):
                ctx.abort()
            return self._json(start_response, 200, gemini_wire.response_body(plan, model))
        if query.get("alt") != ["sse"]:
            return self._json(start_response, 400, gemini_wire.error_body(
                400, "fake upstream: streamGenerateContent is served with alt=sse only"))
        start_response("200 OK", _SSE_HEADERS)
        return StreamBody(drive_stream(gemini_wire.stream_events(plan, model), plan, ctx,
                                       gemini_wire.stream_error_event), ctx)

    def _check_key(self, environ, start_response, dialect):
        need = self.config.get("require_key")
        if not need:
            return None
        auth = environ.get("HTTP_AUTHORIZATION", "")
        bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else None
        xkey = environ.get("HTTP_X_API_KEY")
        if bearer == need or xkey == need:
            return None
        if dialect != "anthropic":
            return self._json(start_response, 401, openai_wire.auth_error_body(bearer or xkey or auth or None))
        return self._json(start_response, 401, anthropic_wire.error_body(401, "invalid x-api-key"))

    @staticmethod
    def _json(start_response, status, body: bytes, extra=()):
        start_response(_STATUS.get(status) or f"{status} Unknown",
                       [_JSON, ("Content-Length", str(len(body))), *extra])
        return [body]

    def _error(self, start_response, dialect, status, message):
        if dialect != "anthropic":
            return self._json(start_response, status, openai_wire.error_body(status, message))
        return self._json(start_response, status, anthropic_wire.error_body(status, message))

    # ------------------------------------------------------------------ control API
    def _control(self, environ, start_response, path):
        method = environ["REQUEST_METHOD"]
        name = path[len("/_control/"):].strip("/")
        if name == "stats" and method == "GET":
            return self._json(start_response, 200, orjson.dumps(self.stats))
        if name == "reset" and method == "POST":
            self.reset()
            return self._json(start_response, 200, b'{"ok":true}')
        if name == "requests" and method == "GET":
            items = list(self.recorded)
            limit = parse_qs(environ.get("QUERY_STRING", "")).get("limit")
            if limit and limit[0].isdigit():
                items = items[-int(limit[0]):] if int(limit[0]) > 0 else []
            return self._json(start_response, 200, orjson.dumps(items))
        if name == "last" and method == "GET":
            return self._json(start_response, 200, orjson.dumps(self.recorded[-1] if self.recorded else None))
        if name == "config" and method == "GET":
            return self._json(start_response, 200, orjson.dumps(self.config))
        if name == "config" and method == "POST":
            cl = environ.get("CONTENT_LENGTH")
            raw = environ["wsgi.input"].read(int(cl)) if cl else b""
            try:
                new = orjson.loads(raw) if raw else {}
                if not isinstance(new, dict):
                    raise DirectiveError("fake upstream: config must be a JSON object")
                new = validate(new, _CONFIG_KEYS, "config")
            except (orjson.JSONDecodeError, DirectiveError) as e:
                return self._json(start_response, 400, orjson.dumps({"error": str(e)}))
            for k, v in new.items():
                if v is None:
                    self.config.pop(k, None)
                else:
                    self.config[k] = v
            self.behaviour_defaults = {k: v for k, v in self.config.items() if k in DEFAULTS}
            return self._json(start_response, 200, orjson.dumps(self.config))
        return self._json(start_response, 404, orjson.dumps({"error": f"no control route {method} {path}"}))


def _validate_request(body: dict, dialect: str, suffix: str):
    """Mimic the providers' required-field checks (disable with config ``strict: false``)."""
    msgs = body.get("messages")
    if dialect == "responses":
        if not isinstance(body.get("model"), str) or not body["model"]:
            return "Missing required parameter: 'model'."
        items = body.get("input")
        if items is None:
            return "Missing required parameter: 'input'."
        if not isinstance(items, (str, list)):
            return "Invalid type for 'input': expected a string or an array of input items."
        return None
    if dialect == "completions":
        if not isinstance(body.get("model"), str) or not body["model"]:
            return "you must provide a model parameter"
        if not isinstance(body.get("prompt"), (str, list)):
            return "Missing required parameter: 'prompt'."
        return None
    if dialect == "openai":
        if not isinstance(body.get("model"), str) or not body["model"]:
            return "you must provide a model parameter"
        if msgs is None:
            return "Missing required parameter: 'messages'."
        if not isinstance(msgs, list) or not msgs:
            return "Invalid 'messages': empty array. Expected an array with minimum length 1."
        return None
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model: Field required"
    if not isinstance(msgs, list):
        return "messages: Field required"
    if suffix == "/v1/messages" and not isinstance(body.get("max_tokens"), int):
        return "max_tokens: Field required"
    return None
