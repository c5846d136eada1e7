"""Circuit breakers per channel and model, so a failing upstream is skipped
instead of being hammered, and tried again carefully once it may be back.

- Server failures (5xx, timeouts, refused connections) are counted in a
  window; BREAKER_FAILURES of them open the breaker for the cool-down.
- A 429 opens it at once, for the upstream's Retry-After.
- When the open time is over the breaker is half-open: one request (a
  probe) goes through; success closes the breaker, failure opens it again
  for twice as long (up to a maximum).
- An upstream 401/403 is not the breaker's business: it takes the whole
  channel out of service until the operator acts (services.catalog.channels).

State lives in Redis when REDIS_URL is set, so every worker and host agrees,
and in the worker's memory otherwise.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

PROBE_SECONDS = 30.0  # how long one worker's probe holds the half-open slot


@dataclass(frozen=True)
class Settings:
    failures: int
    window: float
    cooldown: float
    max_cooldown: float


@dataclass(frozen=True)
class Admission:
    """Whether a call may go to a channel, and what the breaker knew."""

    allowed: bool
    state: str  # closed | open | half_open
    retry_at: float | None = None


CLOSED = Admission(True, "closed")


class NoBreakers:
    """Breakers switched off (BREAKER_ENABLED=0): every channel is always tried."""

    def admit(self, key: str) -> Admission:
        return CLOSED

    def success(self, key: str, admission: Admission) -> None:
        pass

    def reset(self, key: str) -> None:
        pass

    def failure(self, key: str, admission: Admission, kind: str, retry_after: float | None) -> None:
        pass

    def release(self, key: str, admission: Admission) -> None:
        pass

    def state(self, key: str) -> dict:
        return {"state": "closed", "failures": 0, "open_until": None}


class MemoryBreakers:
    """One worker's breakers (no sharing between processes)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._failures: dict[str, deque] = {}
        self._open_until: dict[str, float] = {}
        self._opens: dict[str, int] = {}
        self._probe_until: dict[str, float] = {}

    def admit(self, key: str) -> Admission:
        until = self._open_until.get(key)
        if until is None:
            return CLOSED
        now = time.time()
        if now < until:
            return Admission(False, "open", until)
        if self._probe_until.get(key, 0) > now:
            return Admission(False, "half_open", self._probe_until[key])
        self._probe_until[key] = now + PROBE_SECONDS
        return Admission(True, "half_open")

    def success(self, key: str, admission: Admission) -> None:
        if admission.state != "closed" or key in self._failures:
            self.reset(key)

    def reset(self, key: str) -> None:
        for table in (self._failures, self._open_until, self._opens, self._probe_until):
            table.pop(key, None)

    def release(self, key: str, admission: Admission) -> None:
        """A probe that ended without telling anything (refused before it
        was sent, the client's own error, the client gone): free the slot."""
        if admission.state == "half_open" and admission.allowed:
            self._probe_until.pop(key, None)

    def failure(self, key: str, admission: Admission, kind: str, retry_after: float | None) -> None:
        now = time.time()
        if kind == "rate_limit":
            self._open(key, now + max(retry_after or 1.0, 1.0), count=False)
        elif admission.state == "half_open":
            self._open(key, now, count=True)
        else:
            window = self._failures.setdefault(key, deque())
            window.append(now)
            while window and window[0] < now - self.settings.window:
                window.popleft()
            if len(window) >= self.settings.failures:
                self._open(key, now, count=True)

    def _open(self, key: str, now_or_until: float, count: bool) -> None:
        if count:
            opens = self._opens.get(key, 0)
            self._opens[key] = opens + 1
            cooldown = min(self.settings.cooldown * (2 ** opens), self.settings.max_cooldown)
            self._open_until[key] = now_or_until + cooldown
        else:
            self._open_until[key] = now_or_until
        self._failures.pop(key, None)
        self._probe_until.pop(key, None)

    def state(self, key: str) -> dict:
        until = self._open_until.get(key)
        failures = len(self._failures.get(key, ()))
        if until is None:
            return {"state": "closed", "failures": failures, "open_until": None}
        state = "open" if time.time() < until else "half_open"
        return {"state": state, "failures": failures, "open_until": until}


class RedisBreakers:
    """Breakers shared by every worker through Redis. Keys:
    tg:br:<key>:fail (counter, expires with the window), :open (exists while
    open), :trip (exists from opening until a success; holds the number of
    consecutive openings), :probe (the half-open slot)."""

    def __init__(self, settings: Settings, client, prefix: str = "tg:br:"):
        self.settings = settings
        self.redis = client
        self.prefix = prefix

    def _k(self, key: str, part: str) -> str:
        return f"{self.prefix}{key}:{part}"

    def admit(self, key: str) -> Admission:
        opened, tripped = self.redis.mget(self._k(key, "open"), self._k(key, "trip"))
        if opened is not None:
            return Admission(False, "open", float(opened))
        if tripped is None:
            return CLOSED
        if self.redis.set(self._k(key, "probe"), "1", nx=True, px=int(PROBE_SECONDS * 1000)):
            return Admission(True, "half_open")
        return Admission(False, "half_open")

    def success(self, key: str, admission: Admission) -> None:
        # A clean call on a closed breaker writes nothing: Redis stays off
        # the hot path unless something was wrong.
        if admission.state == "closed" and not self._has_failures(key):
            return
        self.reset(key)

    def reset(self, key: str) -> None:
        self.redis.delete(*(self._k(key, part) for part in ("fail", "open", "trip", "probe")))

    def release(self, key: str, admission: Admission) -> None:
        if admission.state == "half_open" and admission.allowed:
            self.redis.delete(self._k(key, "probe"))

    def _has_failures(self, key: str) -> bool:
        return bool(self.redis.exists(self._k(key, "fail")))

    def failure(self, key: str, admission: Admission, kind: str, retry_after: float | None) -> None:
        if kind == "rate_limit":
            seconds = max(retry_after or 1.0, 1.0)
            self._set_open(key, seconds)
            self.redis.set(self._k(key, "trip"), "0", nx=True)
            return
        if admission.state == "half_open":
            self._trip(key)
            return
        pipe = self.redis.pipeline()
        pipe.incr(self._k(key, "fail"))
        pipe.expire(self._k(key, "fail"), int(self.settings.window), nx=True)
        count, _ = pipe.execute()
        if count >= self.settings.failures:
            self._trip(key)

    def _trip(self, key: str) -> None:
        opens = int(self.redis.incr(self._k(key, "trip"))) - 1
        cooldown = min(self.settings.cooldown * (2 ** max(opens, 0)), self.settings.max_cooldown)
        self._set_open(key, cooldown)
        self.redis.delete(self._k(key, "fail"), self._k(key, "probe"))

    def _set_open(self, key: str, seconds: float) -> None:
        self.redis.set(self._k(key, "open"), repr(time.time() + seconds), px=max(int(seconds * 1000), 1))

    def state(self, key: str) -> dict:
        opened, tripped, failures = self.redis.mget(self._k(key, "open"), self._k(key, "trip"),
                                                    self._k(key, "fail"))
        if opened is not None:
            state = "open"
        elif tripped is not None:
            state = "half_open"
        else:
            state = "closed"
        return {"state": state, "failures": int(failures or 0),
                "open_until": float(opened) if opened is not None else None}


def breaker_key(channel_id: int, model_id: str) -> str:
    return f"{channel_id}:{model_id}"
