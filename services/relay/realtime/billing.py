"""Billing a realtime session incrementally, one response at a time.

The rule: a session always holds the worst case of one response, which is
`prompt bound` input tokens at the dearest input price plus the model's
output cap at the output price (pricing.hold). The prompt bound is the
model's context window, else REALTIME_PROMPT_BOUND_TOKENS. The first hold is
taken before the upgrade (no credits, no session). Each upstream
`response.done` settles the current hold with that response's cost (its
`response.usage`) and its own request log row, then the next hold is taken
before anything else is relayed; when it cannot be, the session ends with
an `insufficient_credits` error event. Whatever ends the session, the hold
still open is settled in the pump's `finally`: at the estimate of a
response cut short, else at zero.

Every hold is a ledger reserve/settle pair of its own, under the request id
`<session id>.<n>`, so each is idempotent and swept like any other; an idle
session's hold is renewed (settled at zero, taken again) every half of
HOLD_TTL_SECONDS, so the sweeper never takes a live session's."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from services import metrics
from services.billing import ledger, pricing
from services.catalog.snapshot import ChannelInfo, ModelInfo
from services.identity.keys import KeyContext
from services.relay import limits
from services.relay.call import ClientInfo
from services.relay.errors import RelayError

DOOR = "realtime"  # the request log's door column


class OutOfCredits(RelayError):
    def __init__(self, message: str):
        super().__init__(402, "insufficient_credits", message)


def hold_for(model: ModelInfo, prompt_bound_default: int, output_default: int) -> int:
    prompt_bound = model.context_window or prompt_bound_default
    output_bound = model.max_output_tokens or output_default
    return pricing.hold(model.price, prompt_bound, output_bound)


@dataclass
class SessionBill:
    session_id: str
    key: KeyContext
    model: ModelInfo
    client: ClientInfo
    hold: int                      # credits held for one response
    channel: ChannelInfo | None = None
    responses: int = 0             # holds taken so far (the n of the current one)
    current: str | None = None     # the request id of the hold now open
    opened_at: float = field(default_factory=time.perf_counter)
    charged: int = 0               # credits charged over the session

    def top_up(self) -> None:
        """Hold one more response's worst case; OutOfCredits when the
        balance or the key's spend cap cannot cover it."""
        assert self.current is None, "one hold at a time"
        request_id = f"{self.session_id}.{self.responses + 1}"
        try:
            ok = ledger.reserve(self.key.account_id, self.key.id, self.hold, request_id)
        except ledger.SpendCapReached:
            raise OutOfCredits("This key has reached its spend cap.") from None
        except ledger.KeyDisabled:
            raise RelayError(401, "invalid_api_key", "Invalid or missing API key.") from None
        if not ok:
            balance = ledger.balance_of(self.key.account_id)
            raise OutOfCredits(f"Insufficient credits: the next response needs up to {self.hold} credits, "
                               f"and the balance is {balance}.")
        self.responses += 1
        self.current = request_id

    def charge(self, usage: pricing.Usage | None, *, status: int = 200, error_code: str | None = None,
               upstream_model: str | None = None, log: bool = True) -> int:
        """Settle the open hold at `usage`'s cost (never above the hold),
        with a request log row unless `log` is False (a hold no response
        used). Returns the credits charged."""
        request_id = self.current
        if request_id is None:
            return 0
        cost = min(pricing.cost(self.model.price, usage), self.hold) if usage is not None else 0
        record = None
        if log:
            record = {
                "request_id": request_id, "account_id": self.key.account_id, "key_id": self.key.id,
                "door": DOOR, "model": self.model.id, "upstream_model": upstream_model,
                "channel_id": self.channel.id if self.channel else None, "stream": True,
                "status": status, "error_code": error_code,
                "latency_ms": int((time.perf_counter() - self.opened_at) * 1000),
                "prompt_tokens": usage.prompt_tokens if usage else 0,
                "completion_tokens": usage.completion_tokens if usage else 0,
                "cached_tokens": usage.cached_tokens if usage else 0,
                "estimated": bool(usage and usage.estimated),
                "client_ip": self.client.ip, "user_agent": (self.client.user_agent or "")[:255],
            }
        charged = ledger.settle(self.key.account_id, self.key.id, self.hold, cost, request_id, record)
        self.current = None  # only now: a settle cut short is retried (idempotently) at the session's end
        self.charged += charged
        limits.record_tokens(self.key, usage)
        if record is not None:
            metrics.observe_request(record, charged, self.key)
        return charged
