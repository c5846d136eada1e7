"""State the workers share when REDIS_URL is set (breakers, in-flight
counts), kept per worker otherwise. One object of each per app."""
from __future__ import annotations

from flask import current_app

from services.relay.breaker import MemoryBreakers, NoBreakers, RedisBreakers, Settings
from services.relay.quotas import MemoryQuotas, RedisQuotas


def _cached(name: str, make):
    ext = current_app.extensions
    if name not in ext:
        ext[name] = make()
    return ext[name]


def redis_client():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None

    def make():
        import redis

        return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    return _cached("tollgate.redis", make)


def breakers():
    def make():
        config = current_app.config
        if not config["BREAKER_ENABLED"]:
            return NoBreakers()
        settings = Settings(failures=config["BREAKER_FAILURES"], window=config["BREAKER_WINDOW_SECONDS"],
                            cooldown=config["BREAKER_COOLDOWN_SECONDS"],
                            max_cooldown=config["BREAKER_MAX_COOLDOWN_SECONDS"])
        client = redis_client()
        return RedisBreakers(settings, client) if client is not None else MemoryBreakers(settings)

    return _cached("tollgate.breakers", make)


def quotas():
    def make():
        client = redis_client()
        return RedisQuotas(client) if client is not None else MemoryQuotas()

    return _cached("tollgate.quotas", make)
