"""The per-worker rate-limit storage used without REDIS_URL: limits' own
memory storage, with its cleanup of expired counters at most once a second.

limits' MemoryStorage starts a timer thread 10 ms after every hit whose
previous timer has finished; under gevent each is a new greenlet, and at a
few hundred requests a second that was 2 to 4% of a worker's CPU
(bench/profile.py). The cleanup only frees memory: every read already drops
an expired counter itself, so the limits counted are the same.
"""
from __future__ import annotations

import time

from limits.storage import MemoryStorage

SCHEME = "tollgate-memory"
CLEANUP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = [SCHEME]  # registered with limits by its metaclass

    _swept_at = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # limits 5.x's private hook, name-mangled
        now = time.monotonic()
        if now - self._swept_at >= CLEANUP_SECONDS:
            self._swept_at = now
            super()._MemoryStorage__schedule_expiry()
