"""Relaying an open realtime session both ways, as the frames come: text
and binary, event names and bodies untouched (the GA and beta protocols
differ; neither is converted). Only the upstream's events are peeked at,
for billing: `response.created` marks a response running, text deltas are
kept for an estimate, and `response.done` settles the response's hold and
takes the next one (see billing.py) before anything more is relayed.

Two greenlets, one per direction; the session ends when either side hangs
up or the credits run out, and is settled in `finally` whatever happened."""
from __future__ import annotations

import logging

import gevent
import orjson
from gevent.event import Event
from gevent.lock import Semaphore
from flask import Flask
from simple_websocket import ConnectionClosed, Server
from wsproto.events import Message, TextMessage

from services.relay.dialects import openai_realtime
from services.relay.errors import RelayError
from services.relay.realtime import upstream as upstream_ws
from services.relay.realtime.session import Session, close_session

log = logging.getLogger("tollgate.realtime")

SUBPROTOCOL = "realtime"


class ClientSocket(Server):
    """simple-websocket's server, writing each frame whole (a gevent
    socket's send may write part of a large audio frame) and one at a time."""

    def __init__(self, *args, **kwargs):
        self._write = Semaphore()
        super().__init__(*args, **kwargs)

    def send(self, data):
        if not self.connected:
            raise ConnectionClosed(self.close_reason, self.close_message)
        # Encoded and written under one lock: with permessage-deflate, frames must
        # reach the wire in the order the compressor saw them.
        with self._write:
            frame = self.ws.send(Message(data=data) if isinstance(data, bytes) else TextMessage(data=str(data)))
            self.sock.sendall(frame)


def error_event(error: RelayError) -> str:
    """An error as the Realtime API sends one."""
    return orjson.dumps({"type": "error", "error": {"type": error.code, "code": error.code,
                                                    "message": error.message}}).decode()


class _Pump:
    def __init__(self, app: Flask, session: Session, client: ClientSocket):
        self.app, self.session, self.client = app, session, client
        self.upstream = session.upstream
        self.bill = session.bill
        self.hold_ready = Event()      # client frames wait while no hold is open
        self.hold_ready.set()
        self.billing = Semaphore()     # a response.done and a hold renewal, one at a time
        self.stopped = Event()         # the session is ending: the keeper stops
        self.running = 0               # responses created and not done
        self.text_seen: list[str] = []
        self.client_gone = False
        self.upstream_close: tuple[int, str] | None = None
        self.ended_by: str | None = None

    # client -> upstream -------------------------------------------------
    def from_client(self) -> None:
        try:
            while True:
                data = self.client.receive()
                if data is None:
                    continue
                self.hold_ready.wait()
                if isinstance(data, bytes):
                    self.upstream.send_binary(data)
                else:
                    self.upstream.send(data)
        except ConnectionClosed:
            self.client_gone = True
        except (upstream_ws.Closed, OSError):
            pass  # the upstream went away; its reader notices

    # upstream -> client -------------------------------------------------
    def from_upstream(self) -> None:
        try:
            while not (self.client_gone and not self.running):
                opcode, data = self.upstream.recv_data()
                if opcode == upstream_ws.websocket.ABNF.OPCODE_CLOSE:
                    self.upstream_close = _close_of(data)
                    return
                if opcode == upstream_ws.BINARY:
                    self._to_client(bytes(data))
                    continue
                text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
                done = self._observe(text)
                if done is None:
                    self._to_client(text)
                    continue
                # Charged, and the next hold taken, before the client reads it:
                # a client that has read response.done finds its balance final.
                with self.billing:
                    self._settle(done)
                    refused = None if self.client_gone else self._next_hold()
                self._to_client(text)
                if refused is not None:
                    self._refuse(refused)
        except (upstream_ws.Closed, OSError):
            self.upstream_close = self.upstream_close or (1011, "upstream connection lost")

    def _to_client(self, data) -> None:
        """Relay to the client; once it is gone, a running response is still
        read to its response.done (after response.cancel), which bills it."""
        if self.client_gone:
            return
        try:
            self.client.send(data)
        except ConnectionClosed:
            self.client_gone = True

    def _refuse(self, error: RelayError) -> None:
        """End the session with the error event, the client told why."""
        log.info("realtime session %s: %s", self.session.id, error.message)
        try:
            self.client.send(error_event(error))
            self.client.close(reason=1008, message=error.code)
        except Exception:  # the client may be gone already
            pass
        self.client_gone = True  # nothing more goes to the client

    def _observe(self, text: str) -> dict | None:
        """The event's response, for response.done; tracks the others."""
        if '"response.' not in text:
            return None
        try:
            event = orjson.loads(text)
        except orjson.JSONDecodeError:
            return None
        kind = event.get("type") if isinstance(event, dict) else None
        if kind == "response.created":
            self.running += 1
        elif kind in openai_realtime.TEXT_DELTAS and isinstance(event.get("delta"), str):
            self.text_seen.append(event["delta"])
        elif kind == openai_realtime.DONE:
            response = event.get("response")
            return response if isinstance(response, dict) else {}
        return None

    def _settle(self, response: dict) -> None:
        self.running = max(self.running - 1, 0)
        self.text_seen = []
        self.hold_ready.clear()
        usage = openai_realtime.read_usage(response.get("usage"))
        status = response.get("status")
        with self.app.app_context():
            self.bill.charge(usage, upstream_model=self.session.upstream_model,
                             error_code=None if status in (None, "completed") else f"response_{status}"[:64])

    def _next_hold(self) -> RelayError | None:
        """Hold the next response; the error that ends the session if not."""
        try:
            with self.app.app_context():
                self.bill.top_up()
        except RelayError as error:
            return error
        self.hold_ready.set()
        return None

    def keep_hold(self, every: float) -> None:
        """Renew an idle session's hold every `every` seconds (half of
        HOLD_TTL_SECONDS), so the sweeper never takes it back from a live
        session; the session ends if the renewal cannot be covered."""
        while not self.stopped.wait(every):
            with self.billing:
                if self.running or self.bill.current is None:
                    continue  # a response runs on it: its response.done renews it
                self.hold_ready.clear()
                with self.app.app_context():
                    self.bill.charge(None, log=False)
                refused = self._next_hold()
            if refused is not None:
                self._refuse(refused)
                self.upstream.abort()  # ends the upstream reader, and so the session
                return

    # the session --------------------------------------------------------
    def run(self) -> None:
        readers = [gevent.spawn(self.from_client), gevent.spawn(self.from_upstream)]
        client_reader, upstream_reader = readers
        keeper = gevent.spawn(self.keep_hold, max(self.app.config["HOLD_TTL_SECONDS"] / 2, 1))
        try:
            gevent.wait(readers, count=1)
            if client_reader.dead and not upstream_reader.dead:
                self.ended_by = "client"
                if self.running and self.bill.current is not None:
                    # Ask for the cut response's response.done, whose usage bills it exactly.
                    try:
                        self.upstream.send(orjson.dumps({"type": "response.cancel"}).decode())
                    except (upstream_ws.Closed, OSError):
                        pass
                    upstream_reader.join(timeout=self.app.config["REALTIME_CANCEL_WAIT_SECONDS"])
            else:
                self.ended_by = "upstream"
                if upstream_reader.exception is not None:
                    raise upstream_reader.exception
        finally:
            self.stopped.set()
            keeper.join(timeout=5)  # lets a renewal in progress finish its transaction
            if not upstream_reader.dead:
                try:  # a polite close: the reader returns on the upstream's answer
                    self.upstream.send_close()
                except Exception:
                    pass
                upstream_reader.join(timeout=1)
            self.upstream.abort()  # unblocks a read still in progress
            gevent.killall(readers, block=True, timeout=2)
            self._end()

    def _end(self) -> None:
        """Close both sides and settle the hold still open."""
        try:
            if not self.client_gone:
                code, reason = self.upstream_close or (1000, "")
                self.client.close(reason=code, message=reason[:120] or None)
        except Exception:  # already closed or half torn down
            pass
        try:
            self.upstream.shutdown()
        except Exception:
            pass
        with self.app.app_context():
            try:
                if self.bill.current is not None:
                    if self.running:  # cut short without its response.done: what was seen
                        why = (499, "client_disconnected") if self.client_gone else (502, "provider_error")
                        self.bill.charge(openai_realtime.estimate("".join(self.text_seen)), status=why[0],
                                         error_code=why[1], upstream_model=self.session.upstream_model)
                    else:
                        self.bill.charge(None, log=False)  # a hold no response used
            finally:
                close_session(self.session)


def _close_of(data) -> tuple[int, str]:
    """The (code, reason) of a close frame's payload, as a code we may send
    on (1005, 1006, 1015 and undefined ones never go on the wire)."""
    data = data or b""
    if len(data) < 2:
        return 1000, ""
    code = int.from_bytes(data[:2], "big")
    if code in (1004, 1005, 1006, 1015) or code < 1000 or 1015 < code < 3000 or code > 4999:
        code = 1011
    return code, data[2:].decode("utf-8", "replace")


def relay_session(app: Flask, session: Session, client: ClientSocket) -> None:
    """Pump the session until one side hangs up or the credits run out;
    settled on every way out."""
    _Pump(app, session, client).run()


def abandon(app: Flask, session: Session) -> None:
    """The client's upgrade failed after the session was opened: hang up
    upstream, return the hold, free the slot."""
    try:
        session.upstream.close(timeout=1)
    except Exception:
        pass
    with app.app_context():
        try:
            session.bill.charge(None, log=False)
        finally:
            close_session(session)
