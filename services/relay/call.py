"""Preparing a relayed call: validate, pick the model and channel, bound the
cost and reserve it. Nothing reaches an upstream before the hold is taken."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from flask import current_app

from services import ledger, pricing
from services import metrics
from services.catalog import ChannelInfo, ModelInfo
from services.keys import KeyContext
from services.relay import limits, routing
from services.relay.adapters import adapter_for
from services.relay.errors import RelayError, invalid_request
from services.relay.routing import Route

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
    native: bool = False          # in the channel's own dialect (passed through), not OpenAI chat
    tool_names: object = None     # tool-name map when a converter shortened names
    headers: dict | None = None   # extra upstream headers (anthropic-beta on native calls)


@dataclass(frozen=True)
class Ask:
    """What a door asks of the relay, whatever its dialect."""

    model_id: str
    stream: bool
    prompt_bound: int              # at most this many prompt tokens
    prompt_estimate: int           # about this many (billing without usage)
    output_tokens: int | None      # the client's output limit; None: the model's cap
    choices: int
    include_usage: bool            # an OpenAI client asked for the usage chunk
    build: Callable[[ChannelInfo, ModelInfo, int, bool], Upstream]  # (channel, model, limit, limit changed)
    message_count: int = 0


@dataclass
class RelayCall:
    request_id: str
    door: str                      # the client's dialect: "openai" | "anthropic"
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

    def use(self, channel: ChannelInfo) -> None:
        """Aim the call at `channel`: its adapter, names and dialect."""
        self.upstream = self.ask.build(channel, self.route.model, self.limit, self.limit_changed)

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

    def cost_of(self, usage: pricing.Usage) -> int:
        return min(pricing.cost(self.model.price, usage), self.hold)


def check_forbidden(body: dict) -> None:
    bad = FORBIDDEN_FIELDS.intersection(body)
    if bad:
        raise invalid_request(f"The field '{sorted(bad)[0]}' is not accepted.")


def _reserve(key: KeyContext, model: ModelInfo, request_id: str, prompt_bound: int,
             output_tokens: int, choices: int) -> tuple[int, int | None]:
    """Take the hold; if the balance is short, lower the output allowance to
    what it covers when that still leaves a useful answer.
    Returns (hold, lowered output tokens or None)."""
    price = model.price
    hold = pricing.hold(price, prompt_bound, output_tokens * choices)
    try:
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


def prepare(key: KeyContext, body, make_ask: Callable[[object], Ask], *, request_id: str,
            client: ClientInfo, door: str) -> RelayCall:
    """Read the request with the door's `make_ask`, check the key's limits,
    pick the first healthy channel and reserve the worst-case cost. A
    refusal is written to the request log before it is raised."""
    started = time.perf_counter()
    config = current_app.config
    held = False
    route = None
    try:
        ask = make_ask(body)
        if ask.message_count > config["MAX_MESSAGES"]:
            raise RelayError(413, "request_too_large",
                             f"Too many messages: {ask.message_count}, at most {config['MAX_MESSAGES']}.")
        route = routing.resolve(key, ask.model_id)
        limits.check_tokens(key)
        if routing.next_channel(route) is None:
            raise routing.all_failing(route, ask.model_id)
        held = limits.take_slot(key)
        cap = route.model.max_output_tokens or config["DEFAULT_MAX_OUTPUT_TOKENS"]
        limit = min(ask.output_tokens or cap, cap)
        hold, lowered = _reserve(key, route.model, request_id, ask.prompt_bound, limit, ask.choices)
    except RelayError as exc:
        limits.release_slot(key, held)
        if route is not None:
            routing.release(route)
        fields = body if isinstance(body, dict) else {}
        log_refusal(key, request_id, client, door, fields.get("model"), fields.get("stream") is True,
                    exc, started)
        raise
    except BaseException:
        limits.release_slot(key, held)
        if route is not None:
            routing.release(route)
        raise
    changed = lowered is not None or (ask.output_tokens is not None and ask.output_tokens > cap)
    call = RelayCall(request_id=request_id, door=door, key=key, ask=ask, route=route,
                     limit=lowered or limit, limit_changed=changed, hold=hold, client=client,
                     started=started, lowered_max_tokens=lowered, slot_held=held)
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
