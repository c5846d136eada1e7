"""Preparing a relayed call: validate, pick the model and channel, bound the
cost and reserve it. Nothing reaches an upstream before the hold is taken."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import current_app

from services import metrics
from services.billing import ledger, pricing
from services.catalog.snapshot import ChannelInfo, ModelInfo
from services.identity.keys import KeyContext
from services.relay import limits, routing
from services.relay.adapters import adapter_for
from services.relay.convert.table import PASSTHROUGH, ConversionRefused, Target, plan
from services.relay.errors import RelayError, invalid_request
from services.relay.routing import Route

if TYPE_CHECKING:  # the doors import this module
    from services.relay.doors.base import Door

# Fields that would let a client steer the upstream call (where it goes, with
# which credentials): refused, never forwarded (LiteLLM CVE-2024-6587).
FORBIDDEN_FIELDS = frozenset({
    "api_base", "base_url", "api_key", "api_version", "organization", "custom_llm_provider",
    "extra_headers", "extra_query", "deployment_id", "azure_ad_token",
})


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None
    user_agent: str | None


@dataclass
class Upstream:
    """The request to send, built once the channel and output limit are known."""

    body: dict
    dialect: str                  # what the channel is sent (and answers in)
    converter: object = None      # None: the client's dialect, passed through
    state: object = None          # the converter's memory of the request (e.g. shortened tool names)
    headers: dict | None = None   # extra upstream headers (anthropic-beta on pass-through)
    path: str | None = None       # instead of the dialect's path (image edits, audio translations)
    files: list | None = None     # (field, filename, file, content type): a multipart request of `body`'s fields


@dataclass(frozen=True)
class Ask:
    """What a door asks of the relay, whatever its dialect."""

    model_id: str
    stream: bool
    prompt_bound: int              # at most this many prompt tokens
    prompt_estimate: int           # about this many (billing without usage)
    output_tokens: int | None      # the client's output limit; None: the model's cap
    choices: int
    body: dict                     # the client's request, in the door's dialect
    headers: dict = field(default_factory=dict)  # client headers the door forwards on pass-through
    include_usage: bool = False    # an OpenAI client asked for the usage chunk
    message_count: int = 0
    affinity: str | None = None    # the client's cache key: calls sharing it prefer one channel
    # Families billed in units (images, characters, seconds, search units):
    # the worst case known before the call, which is the hold, and the
    # local measure that settles what the upstream does not report.
    bound: pricing.Usage | None = None
    measure: pricing.Usage | None = None
    path: str | None = None        # the upstream path, when the family has several (edits, translations)
    files: list | None = None      # uploads, for a multipart request: (field, filename, file, content type)
    channel_id: int | None = None  # only this channel may serve it (a task's follow-up: remix, Midjourney action)


@dataclass
class RelayCall:
    request_id: str
    door: Door                     # the client's protocol
    key: KeyContext
    ask: Ask
    route: Route
    limit: int                     # output tokens allowed
    limit_changed: bool            # clamped or lowered: the upstream must be told
    hold: int
    client: ClientInfo
    started: float
    lowered_max_tokens: int | None = None
    slot_held: bool = False
    upstream: Upstream | None = None
    # Outcome, filled in as the call runs.
    status: int = 200
    error_code: str | None = None
    client_gone: bool = False
    cost: int | None = None
    settled: bool = field(default=False, repr=False)
    on_answer: object = None       # called with the finished answer (the Responses store)

    def use(self, channel: ChannelInfo) -> None:
        """Aim the call at `channel`: pass the request through when the
        channel speaks the door's dialect, else convert it."""
        upstream_dialect, converter = plan(self.door.dialect, channel)
        target = self.target(channel)
        if converter is None:
            self.upstream = self.door.passthrough(self.ask, target, self.limit_changed)
            return
        try:
            body, state = converter.request(self.ask.body, target)
        except ConversionRefused as exc:
            raise invalid_request(f"This request cannot be served by the model's upstream: {exc}") from None
        self.upstream = Upstream(body, upstream_dialect, converter, state)

    def target(self, channel: ChannelInfo) -> Target:
        return Target(upstream_model=channel.upstream_name(self.model.id), client_model=self.client_model,
                      max_output_tokens=self.limit, provider=channel.flavor,
                      prompt_estimate=self.prompt_estimate)

    def translator(self):
        """Upstream stream events in, client events out."""
        upstream = self.upstream
        if upstream.converter is None:
            return PASSTHROUGH
        return upstream.converter.stream(upstream.state, self.target(self.channel))

    def client_answer(self, answer: dict) -> dict:
        """The upstream's whole answer in the door's dialect."""
        upstream = self.upstream
        if upstream.converter is None:
            return answer
        return upstream.converter.answer(answer, upstream.state, self.target(self.channel))

    @property
    def model(self) -> ModelInfo:
        return self.route.model

    @property
    def channel(self) -> ChannelInfo:
        return self.route.channel

    @property
    def adapter(self):
        return adapter_for(self.route.channel.provider)

    @property
    def timeouts(self):
        return self.route.channel.timeouts

    @property
    def stream(self) -> bool:
        return self.ask.stream

    @property
    def include_usage(self) -> bool:
        return self.ask.include_usage

    @property
    def client_model(self) -> str:
        return self.ask.model_id

    @property
    def prompt_estimate(self) -> int:
        return self.ask.prompt_estimate

    @property
    def upstream_body(self) -> dict:
        return self.upstream.body

    @property
    def renamed(self) -> bool:
        """The upstream knows the model by another name: answers show the client's."""
        return self.upstream.body.get("model") != self.client_model

    def billable(self, meter) -> pricing.Usage:
        """What the call is billed on: the upstream's usage (with the door's
        local measure for units it does not report), else an estimate."""
        return meter.billable(self.prompt_estimate, self.ask.measure)

    def cost_of(self, usage: pricing.Usage) -> int:
        return min(pricing.cost(self.model.price, usage), self.hold)


def check_forbidden(body: dict) -> None:
    bad = FORBIDDEN_FIELDS.intersection(body)
    if bad:
        raise invalid_request(f"The field '{sorted(bad)[0]}' is not accepted.")


def _reserve(key: KeyContext, model: ModelInfo, request_id: str, prompt_bound: int,
             output_tokens: int, choices: int, bound: pricing.Usage | None = None) -> tuple[int, int | None]:
    """Take the hold; if the balance is short, lower the output allowance to
    what it covers when that still leaves a useful answer.
    Returns (hold, lowered output tokens or None)."""
    price = model.price
    hold = pricing.hold(price, prompt_bound, output_tokens * choices)
    try:
        if bound is not None:  # a unit-billed call: its worst case, nothing to lower
            hold = pricing.cost(price, bound)
            if ledger.reserve(key.account_id, key.id, hold, request_id):
                return hold, None
            balance = ledger.balance_of(key.account_id)
            raise RelayError(402, "insufficient_credits",
                             f"Insufficient credits: this request needs up to {hold} credits, "
                             f"and the balance is {balance}.")
        if ledger.reserve(key.account_id, key.id, hold, request_id):
            return hold, None
        minimum = min(current_app.config["MIN_USEFUL_OUTPUT_TOKENS"], output_tokens)
        for _attempt in range(2):  # the balance may move between reading and reserving
            balance = ledger.balance_of(key.account_id)
            affordable = min(pricing.affordable_output(price, balance, prompt_bound) // choices,
                             output_tokens)
            if affordable < max(minimum, 1):
                break
            lowered = pricing.hold(price, prompt_bound, affordable * choices)
            if ledger.reserve(key.account_id, key.id, lowered, request_id):
                return lowered, affordable
    except ledger.SpendCapReached:
        raise RelayError(402, "insufficient_credits",
                         "This key has reached its spend cap.") from None
    except ledger.KeyDisabled:
        raise RelayError(401, "invalid_api_key", "Invalid or missing API key.") from None
    balance = ledger.balance_of(key.account_id)
    raise RelayError(
        402, "insufficient_credits",
        f"Insufficient credits: this request needs up to {hold} credits "
        f"({prompt_bound} prompt tokens at most and {output_tokens * choices} output tokens), "
        f"and the balance is {balance}.")


def prepare(key: KeyContext, body, headers, door: Door, *, request_id: str, client: ClientInfo) -> RelayCall:
    """Read the request through its door, check the key's limits, pick the
    first healthy channel that can serve the door's dialect and reserve the
    worst-case cost. A refusal is written to the request log before it is
    raised."""
    started = time.perf_counter()
    config = current_app.config
    held = False
    route = None
    try:
        ask = door.parse(body, headers)
        if ask.message_count > config["MAX_MESSAGES"]:
            raise RelayError(413, "request_too_large",
                             f"Too many messages: {ask.message_count}, at most {config['MAX_MESSAGES']}.")
        route = routing.resolve(key, ask.model_id, door.dialect, ask.affinity, ask.channel_id)
        limits.check_tokens(key)
        if routing.next_channel(route) is None:
            raise routing.all_failing(route, ask.model_id)
        held = limits.take_slot(key)
        cap = route.model.max_output_tokens or config["DEFAULT_MAX_OUTPUT_TOKENS"]
        limit = min(ask.output_tokens or cap, cap)
        call = RelayCall(request_id=request_id, door=door, key=key, ask=ask, route=route, limit=limit,
                         limit_changed=ask.output_tokens is not None and ask.output_tokens > cap, hold=0,
                         client=client, started=started, slot_held=held)
        call.use(route.channel)  # a request the channel cannot be sent is refused before any hold
        call.hold, lowered = _reserve(key, route.model, request_id, ask.prompt_bound, limit, ask.choices,
                                      ask.bound)
    except RelayError as exc:
        limits.release_slot(key, held)
        if route is not None:
            routing.release(route)
        fields = body if isinstance(body, dict) else {}
        log_refusal(key, request_id, client, door.name, fields.get("model"), fields.get("stream") is True,
                    exc, started)
        raise
    except BaseException:
        limits.release_slot(key, held)
        if route is not None:
            routing.release(route)
        raise
    if lowered is not None:  # only what the balance covers: the upstream must be told
        call.limit, call.limit_changed, call.lowered_max_tokens = lowered, True, lowered
        call.use(route.channel)
    return call


def log_refusal(key: KeyContext, request_id: str, client: ClientInfo, door: str, model,
                stream: bool, exc: RelayError, started: float) -> None:
    metrics.observe_refusal(key, request_id, door, model, stream, exc, started)
    ledger.write_log({
        "request_id": request_id, "account_id": key.account_id, "key_id": key.id, "door": door,
        "model": model[:128] if isinstance(model, str) else None, "stream": bool(stream),
        "status": exc.status, "error_code": exc.code,
        "latency_ms": int((time.perf_counter() - started) * 1000),
        "client_ip": client.ip, "user_agent": (client.user_agent or "")[:255],
    })
