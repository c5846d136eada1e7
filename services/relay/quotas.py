"""Per-key counters beyond request rates: requests in flight (concurrency)
and tokens per minute. In Redis when REDIS_URL is set (shared by all
workers and hosts), else per worker."""
from __future__ import annotations

import time

SAFETY_TTL = 900  # seconds: a crashed worker's in-flight slots are forgotten after this


def _minute() -> int:
    return int(time.time() // 60)


class MemoryQuotas:
    def __init__(self):
        self._in_flight: dict[int, int] = {}
        self._tokens: dict[int, tuple[int, int]] = {}  # key id -> (minute, tokens)

    def acquire(self, key_id: int, limit: int) -> bool:
        current = self._in_flight.get(key_id, 0)
        if current >= limit:
            return False
        self._in_flight[key_id] = current + 1
        return True

    def release(self, key_id: int) -> None:
        current = self._in_flight.get(key_id, 0) - 1
        if current > 0:
            self._in_flight[key_id] = current
        else:
            self._in_flight.pop(key_id, None)

    def tokens_this_minute(self, key_id: int) -> int:
        minute, tokens = self._tokens.get(key_id, (0, 0))
        return tokens if minute == _minute() else 0

    def add_tokens(self, key_id: int, tokens: int) -> None:
        self._tokens[key_id] = (_minute(), self.tokens_this_minute(key_id) + tokens)


class RedisQuotas:
    def __init__(self, client, prefix: str = "tg:q:"):
        self.redis = client
        self.prefix = prefix

    def acquire(self, key_id: int, limit: int) -> bool:
        name = f"{self.prefix}inflight:{key_id}"
        pipe = self.redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, SAFETY_TTL)
        count, _ = pipe.execute()
        if count > limit:
            self.redis.decr(name)
            return False
        return True

    def release(self, key_id: int) -> None:
        self.redis.decr(f"{self.prefix}inflight:{key_id}")

    def tokens_this_minute(self, key_id: int) -> int:
        return int(self.redis.get(f"{self.prefix}tpm:{key_id}:{_minute()}") or 0)

    def add_tokens(self, key_id: int, tokens: int) -> None:
        name = f"{self.prefix}tpm:{key_id}:{_minute()}"
        pipe = self.redis.pipeline()
        pipe.incrby(name, tokens)
        pipe.expire(name, 120)
        pipe.execute()
