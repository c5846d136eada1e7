"""The per-worker rate-limit storage: the same counts as limits' memory
storage, with its cleanup timer started at most once a second."""
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from extensions import limiter
from services.relay import rate_storage
from tests.support.stack import make_app


def test_the_app_counts_rate_limits_in_it_without_redis(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/t.db")
    assert app.config["RATELIMIT_STORAGE_URI"] == "tollgate-memory://"
    with app.app_context():
        assert isinstance(limiter.limiter.storage, rate_storage.SweptMemoryStorage)


def test_it_counts_like_limits_memory_storage_and_lets_counters_expire(monkeypatch):
    storage = storage_from_string("tollgate-memory://")
    assert isinstance(storage, rate_storage.SweptMemoryStorage)
    strategy = SlidingWindowCounterRateLimiter(storage)
    limit = parse("3/second")
    assert [strategy.hit(limit, "k") for _ in range(4)] == [True, True, True, False]
    assert strategy.hit(limit, "other")  # per key
    time.sleep(2.1)  # two windows on: nothing is left of the first
    assert strategy.hit(limit, "k")


def test_the_cleanup_timer_starts_at_most_once_a_second(monkeypatch):
    storage = storage_from_string("tollgate-memory://")
    started = []
    real = rate_storage.MemoryStorage._MemoryStorage__schedule_expiry

    def counted(self):
        started.append(1)
        return real(self)

    monkeypatch.setattr(rate_storage.MemoryStorage, "_MemoryStorage__schedule_expiry", counted)
    for _ in range(500):
        storage.incr("k", 60)
    assert len(started) == 1
    storage._swept_at -= rate_storage.CLEANUP_SECONDS
    storage.incr("k", 60)
    assert len(started) == 2
    assert storage.get("k") == 501
