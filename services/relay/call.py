"""Preparing a relayed call: validate, pick the model and channel, bound the
cost and reserve it. Nothing reaches an upstream before the hold is taken."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import current_app

from services import ledger, pricing
from services.catalog import ChannelInfo, ModelInfo, current_catalog, pick_channel
from services.keys import KeyContext
from services.relay.adapters import adapter_for
from services.relay.adapters.base import Timeouts
from services.relay.errors import RelayError, invalid_request
from services.tokens import chat_prompt_tokens

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
class RelayCall:
    request_id: str
    door: str                      # the client's dialect: "openai" | "anthropic"
    key: KeyContext
    model: ModelInfo
    channel: ChannelInfo
    adapter: object
    upstream_body: dict            # an OpenAI chat request, upstream model name in place
    stream: bool
    include_usage: bool            # the client asked for the usage chunk
    client_model: str
    prompt_estimate: int
    hold: int
    timeouts: Timeouts
    client: ClientInfo
    started: float
    lowered_max_tokens: int | None = None
    # Outcome, filled in as the call runs.
    status: int = 200
    error_code: str | None = None
    client_gone: bool = False
    cost: int | None = None
    settled: bool = field(default=False, repr=False)

    @property
    def renamed(self) -> bool:
        """The channel maps the client's model name: answers show the client's."""
        return self.upstream_body.get("model") != self.client_model

    def cost_of(self, usage: pricing.Usage) -> int:
        return min(pricing.cost(self.model.price, usage), self.hold)


def validate_chat(body) -> None:
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise RelayError(400, "model_required", "The 'model' field is required.")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RelayError(400, "messages_required", "The 'messages' field must be a non-empty list.")
    if any(not isinstance(m, dict) for m in messages):
        raise invalid_request("Each message must be an object with a role and content.")
    bad = FORBIDDEN_FIELDS.intersection(body)
    if bad:
        raise invalid_request(f"The field '{sorted(bad)[0]}' is not accepted.")
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise invalid_request(f"'{name}' must be a positive integer.")
    n = body.get("n")
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 16):
        raise invalid_request("'n' must be an integer from 1 to 16.")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise invalid_request("'stream' must be true or false.")


def resolve_route(key: KeyContext, model_id: str) -> tuple[ModelInfo, ChannelInfo, object]:
    catalog = current_catalog()
    model = catalog.model(model_id)
    explicitly_allowed = key.allowed_models is not None and model_id in key.allowed_models
    if model is None or not key.may_use(model_id) or not (model.public or explicitly_allowed):
        raise RelayError(404, "model_not_available", f"The model '{model_id}' is not available.")
    channel = pick_channel(catalog.channels_for(model_id))
    adapter = adapter_for(channel.provider) if channel else None
    if channel is None or adapter is None:
        raise RelayError(503, "provider_not_configured",
                         f"No upstream provider is configured for '{model_id}'.")
    return model, channel, adapter


def _output_limits(body: dict, model: ModelInfo) -> tuple[str, int, bool]:
    """(field to set, output tokens allowed, whether the client's value was clamped)."""
    cap = model.max_output_tokens or current_app.config["DEFAULT_MAX_OUTPUT_TOKENS"]
    field_name = "max_completion_tokens" if "max_completion_tokens" in body else "max_tokens"
    asked = body.get(field_name)
    if asked is None:
        return field_name, cap, False
    return field_name, min(asked, cap), asked > cap


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
    balance = ledger.balance_of(key.account_id)
    raise RelayError(
        402, "insufficient_credits",
        f"Insufficient credits: this request needs up to {hold} credits "
        f"({prompt_bound} prompt tokens at most and {output_tokens * choices} output tokens), "
        f"and the balance is {balance}.")


def prepare_chat(key: KeyContext, body, *, request_id: str, client: ClientInfo,
                 door: str = "openai") -> RelayCall:
    """Validate an OpenAI chat request and reserve its worst-case cost. A
    refusal is written to the request log before it is raised."""
    started = time.perf_counter()
    try:
        return _prepare(key, body, request_id, client, door, started)
    except RelayError as exc:
        model = body.get("model") if isinstance(body, dict) else None
        ledger.write_log({
            "request_id": request_id, "account_id": key.account_id, "key_id": key.id, "door": door,
            "model": model[:128] if isinstance(model, str) else None,
            "stream": bool(isinstance(body, dict) and body.get("stream") is True),
            "status": exc.status, "error_code": exc.code,
            "latency_ms": int((time.perf_counter() - started) * 1000),
            "client_ip": client.ip, "user_agent": (client.user_agent or "")[:255],
        })
        raise


def _prepare(key: KeyContext, body, request_id: str, client: ClientInfo, door: str,
             started: float) -> RelayCall:
    validate_chat(body)
    model_id = body["model"]
    model, channel, adapter = resolve_route(key, model_id)
    field_name, output_tokens, clamped = _output_limits(body, model)
    prompt_bound = chat_prompt_tokens(body, bound=True)
    choices = body.get("n") or 1
    hold, lowered = _reserve(key, model, request_id, prompt_bound, output_tokens, choices)

    upstream = dict(body)
    upstream["model"] = channel.upstream_name(model_id)
    if clamped or lowered is not None:
        upstream[field_name] = lowered if lowered is not None else output_tokens
    stream = bool(body.get("stream"))
    client_options = body.get("stream_options") if isinstance(body.get("stream_options"), dict) else {}
    if stream:
        # Always ask for usage; the client's stream hides it unless it asked.
        upstream["stream_options"] = {**client_options, "include_usage": True}
    config = current_app.config
    return RelayCall(
        request_id=request_id, door=door, key=key, model=model, channel=channel, adapter=adapter,
        upstream_body=upstream, stream=stream,
        include_usage=bool(client_options.get("include_usage")), client_model=model_id,
        prompt_estimate=chat_prompt_tokens(body, bound=False), hold=hold,
        timeouts=Timeouts(config["UPSTREAM_CONNECT_TIMEOUT"], config["UPSTREAM_READ_TIMEOUT"]),
        client=client, started=started, lowered_max_tokens=lowered,
    )
