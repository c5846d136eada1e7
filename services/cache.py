"""A tiny per-process TTL cache. Each worker keeps its own; the TTL bounds
how stale a value can be in the other workers after a change."""
from __future__ import annotations

import time
from typing import Any, Callable


class TTLCache:
    def __init__(self, ttl: float, max_items: int = 10_000):
        self.ttl = ttl
        self.max_items = max_items
        self._items: dict[Any, tuple[float, Any]] = {}

    def get(self, key, loader: Callable[[], Any]):
        """The cached value, or loader()'s (cached unless it returns None)."""
        if self.ttl > 0:
            hit = self._items.get(key)
            if hit is not None and hit[0] > time.monotonic():
                return hit[1]
        value = loader()
        if value is not None and self.ttl > 0:
            if len(self._items) >= self.max_items:
                self._items.clear()  # crude, but bounded memory beats LRU bookkeeping here
            self._items[key] = (time.monotonic() + self.ttl, value)
        return value

    def invalidate(self, key=None) -> None:
        if key is None:
            self._items.clear()
        else:
            self._items.pop(key, None)
