"""A fake Realtime API upstream: `websockets`' asyncio server, run as its own
process (`python -m tests.fakes.fake_realtime`, which prints `PORT <n>`).

At `/v1/realtime?model=...` (any path ending in /realtime) it sends
`session.created` (its `session.x_fake` tells what it was sent: path,
Authorization, OpenAI-Beta), and answers:
- `session.update` with `session.updated`;
- `input_audio_buffer.append` with `x_fake.audio_ack` (`bytes`: the decoded
  audio's length); a binary frame is echoed back as it came;
- `response.create` with `response.created`, text deltas and
  `response.done` with usage. The event's `x_fake` field steers it:
  `deltas` (3), `text` ("hi"), `delay` (s between events), `usage` (the
  done event's, default {input_tokens: 10, output_tokens: 5}), `beta`
  (beta event names), `stall` (no done until `response.cancel`, which
  answers a cancelled done with `cancel_usage`), `hang_up` (close 1011
  after the deltas, no done);
- `x_fake.hang_up` by closing with 1011.
GET /_stats answers {"sessions": n}; POST is not served."""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import serve

STATS = {"sessions": 0}
DEFAULT_USAGE = {"total_tokens": 15, "input_tokens": 10, "output_tokens": 5,
                 "input_token_details": {"cached_tokens": 0, "text_tokens": 10, "audio_tokens": 0},
                 "output_token_details": {"text_tokens": 5, "audio_tokens": 0}}


def process_request(connection, request):
    if request.path.startswith("/_stats"):
        return connection.respond(HTTPStatus.OK, json.dumps(STATS) + "\n")
    if not urlsplit(request.path).path.endswith("/realtime"):
        return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
    if request.headers.get("Authorization", "") == "Bearer sk-refused":
        return connection.respond(HTTPStatus.UNAUTHORIZED, '{"error": {"message": "bad key"}}\n')
    return None


class Session:
    def __init__(self, ws):
        self.ws = ws
        self.counter = 0
        self.cancel = asyncio.Event()
        self.stalled: dict | None = None

    async def send(self, event: dict) -> None:
        await self.ws.send(json.dumps(event))

    async def respond(self, event: dict) -> None:
        fake = event.get("x_fake") or {}
        self.counter += 1
        rid = f"resp_{self.counter}"
        beta = fake.get("beta", False)
        delta_type = "response.text.delta" if beta else "response.output_text.delta"
        delay = float(fake.get("delay", 0))
        await self.send({"type": "response.created", "response": {"id": rid, "status": "in_progress"}})
        for _ in range(int(fake.get("deltas", 3))):
            if delay:
                await asyncio.sleep(delay)
            await self.send({"type": delta_type, "response_id": rid, "delta": fake.get("text", "hi")})
        if fake.get("hang_up"):
            await self.ws.close(1011, "fake hang-up")
            return
        status, usage = "completed", fake.get("usage", DEFAULT_USAGE)
        if fake.get("stall"):
            self.cancel.clear()
            await self.cancel.wait()
            status, usage = "cancelled", fake.get("cancel_usage", DEFAULT_USAGE)
        await self.send({"type": "response.done",
                         "response": {"id": rid, "object": "realtime.response", "status": status,
                                      "output": [], "usage": usage}})


async def handler(ws):
    STATS["sessions"] += 1
    request = ws.request
    query = parse_qs(urlsplit(request.path).query)
    session = Session(ws)
    await session.send({"type": "session.created", "event_id": "event_0", "session": {
        "id": "sess_fake", "model": (query.get("model") or [""])[0], "x_fake": {
            "path": request.path, "authorization": request.headers.get("Authorization"),
            "beta": request.headers.get("OpenAI-Beta")}}})
    tasks = set()
    async for message in ws:
        if isinstance(message, bytes):
            await ws.send(message)
            continue
        event = json.loads(message)
        kind = event.get("type")
        if kind == "session.update":
            await session.send({"type": "session.updated", "session": event.get("session", {})})
        elif kind == "input_audio_buffer.append":
            size = len(base64.b64decode(event.get("audio", "")))
            await session.send({"type": "x_fake.audio_ack", "event_id": event.get("event_id"), "bytes": size})
        elif kind == "response.create":
            task = asyncio.create_task(session.respond(event))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        elif kind == "response.cancel":
            session.cancel.set()
        elif kind == "x_fake.hang_up":
            await ws.close(1011, "fake hang-up")
        else:
            await session.send({"type": "error", "error": {"type": "invalid_request_error",
                                                           "message": f"unknown event {kind!r}"}})


async def main(host: str, port: int) -> None:
    async with serve(handler, host, port, process_request=process_request, max_size=None) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        print(f"PORT {bound}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(main(args.host, args.port))
    except KeyboardInterrupt:
        sys.exit(0)
