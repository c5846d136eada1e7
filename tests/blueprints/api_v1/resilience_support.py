"""Several fake upstreams and fresh routes for the resilience tests."""
from __future__ import annotations

import itertools

import requests

from tests.support.servers import free_port

_names = itertools.count(1)


def new_route(stack, channels: list[dict], price: int = 1) -> str:
    """A new model served by `channels` (dicts: base_url, priority, weight,
    and optional timeouts=(connect, first_byte, idle)); returns its id."""
    model = f"route-{next(_names)}"
    stack.set_model(model, max_output_tokens=100, input_price=price * 1_000_000, output_price=price * 1_000_000)
    for i, spec in enumerate(channels):
        stack.add_channel(f"{model}-ch{i}", spec["base_url"], [model], priority=spec.get("priority", 0),
                          weight=spec.get("weight", 1), timeouts=spec.get("timeouts", (None, None, None)))
    return model


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there


def chat(stack, key: str, model: str, text: str = "hi", stream: bool = False, **headers) -> requests.Response:
    body = {"model": model, "stream": stream, "messages": [{"role": "user", "content": text}]}
    return requests.post(stack.url + "/v1/chat/completions", json=body, timeout=60, stream=stream,
                         headers={"Authorization": f"Bearer {key}", **headers})
