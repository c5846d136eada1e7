"""Exact credits for images on SQLite and PostgreSQL: per image by tier
(DALL·E's defaults, "auto" at the dearest, the tier a GPT image answer
reports), by tokens (text input, image input and output apart), streamed
or not, generations and edits; the hold never below the charge and the
ledger verified afterwards."""
from __future__ import annotations

import base64

import pytest
import requests

from tests.blueprints.api_v1.image_stack import DALLE, MINI, PNG, REQUEST_PRICE, dalle_cost, hold_and_charge, \
    image_usage, seed_images, token_cost
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack

CREDITS = 100_000_000
DEAREST = max(DALLE.values())
# The token bound of gpt-image-1 (no max_output_tokens): prompt tokens, 6240
# per input image, 6240 (+100 per partial image) output tokens per image.
BOUND = 6240


@pytest.fixture(scope="module")
def money(databases, fake_upstream):
    stack = Stack(databases.new(), name=f"images-money-{databases.kind}")
    seed_images(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


def post(stack, raw, path, **kw):
    return requests.post(stack.url + "/v1/images/" + path, headers={"Authorization": f"Bearer {raw}"},
                         timeout=30, **kw)


TABLE = [
    # (request fields, expected credits)
    ({"model": "dall-e-3", "size": "1024x1024", "quality": "standard"}, dalle_cost("1024x1024/standard", 1)),
    ({"model": "dall-e-3", "size": "1024x1024", "quality": "hd", "n": 2}, dalle_cost("1024x1024/hd", 2)),
    ({"model": "dall-e-3", "size": "1792x1024", "quality": "standard", "n": 3}, dalle_cost("1792x1024/standard", 3)),
    ({"model": "dall-e-3", "size": "1024x1792", "quality": "hd"}, dalle_cost("1024x1792/hd", 1)),
    ({"model": "dall-e-3"}, dalle_cost("1024x1024/standard", 1)),                       # DALL·E's defaults
    ({"model": "dall-e-3", "size": "1024x1024", "quality": "auto"}, dalle_cost("1024x1024/hd", 1)),
    ({"model": "dall-e-3", "size": "auto", "quality": "auto", "n": 2}, DEAREST * 2 + REQUEST_PRICE),
    ({"model": "dall-e-3", "quality": "hd", "n": 10, "response_format": "b64_json"}, dalle_cost("1024x1024/hd", 10)),
    ({"model": "gpt-image-1-mini", "size": "1024x1024", "quality": "low", "n": 4}, 4 * MINI["1024x1024/low"] + 7),
    ({"model": "gpt-image-1-mini", "size": "1536x1024", "quality": "high"}, MINI["1536x1024/high"] + 7),
    ({"model": "gpt-image-1-mini", "size": "1024x1536", "quality": "high"}, MINI["*/high"] + 7),  # the "*" row
    ({"model": "gpt-image-1-mini", "quality": "auto"}, MINI["1024x1024/high"] + 7),    # the tier reported
    ({"model": "gpt-image-1", "prompt": "p " + directive(usage=image_usage(17, 0, 4160))}, token_cost(17, 0, 4160)),
    ({"model": "gpt-image-1", "n": 3, "prompt": "p " + directive(usage=image_usage(9, 0, 3 * 1056))},
     token_cost(9, 0, 3 * 1056)),
    ({"model": "gpt-image-1", "prompt": "p " + directive(usage=image_usage(1, 0, 1))}, token_cost(1, 0, 1)),
]


@pytest.mark.parametrize("fields, expected", TABLE, ids=[f"{f['model']}-{i}" for i, (f, _e) in enumerate(TABLE)])
def test_generation_credits(money, upstream, fields, expected):
    raw, _, account = money.new_key(CREDITS)
    reply = post(money, raw, "generations", json={"prompt": "a picture", **fields})
    assert reply.status_code == 200, reply.text
    assert len(reply.json()["data"]) == fields.get("n", 1)
    assert reply.json()["usage"]["credits"] == expected
    check(money, account, expected)


def check(stack, account, expected):
    (log,) = stack.logs(account)
    assert (log.status, log.credits, log.door) == (200, expected, "images")
    hold, charge = hold_and_charge(stack, account)
    assert charge == expected <= hold
    assert stack.balance(account) == CREDITS - expected
    assert stack.verify() == []


def test_the_token_hold(money, upstream):
    raw, _, account = money.new_key(CREDITS)
    prompt = "short prompt " + directive(usage=image_usage(5, 0, 10))
    reply = post(money, raw, "generations", json={"model": "gpt-image-1", "prompt": prompt, "n": 2,
                                                   "stream": True, "partial_images": 3})
    assert reply.status_code == 200 and reply.text.count("image_generation.completed") == 4  # event + type, x2
    hold, charge = hold_and_charge(money, account)
    output_bound = 2 * (BOUND + 3 * 100) * 40  # 40 credits per output token
    assert output_bound < hold < output_bound + 1000  # plus the prompt's bound and the request price
    assert charge == token_cost(5, 0, 20)


def test_fewer_images_than_asked_bill_what_came(money, upstream):
    raw, _, account = money.new_key(CREDITS)
    reply = post(money, raw, "generations", json={"model": "dall-e-3", "prompt": "x " + directive(images=1),
                                                   "n": 3, "quality": "hd"})
    assert len(reply.json()["data"]) == 1
    hold, _charge = hold_and_charge(money, account)
    assert hold == dalle_cost("1024x1024/hd", 3)
    check(money, account, dalle_cost("1024x1024/hd", 1))


@pytest.mark.parametrize("stream", [False, True])
def test_edit_credits_by_tokens(money, upstream, stream):
    raw, _, account = money.new_key(CREDITS)
    usage = image_usage(11, 2 * 323, 1056)
    files = [("image[]", ("a.png", PNG, "image/png")), ("image[]", ("b.png", PNG, "image/png")),
             ("mask", ("m.png", PNG, "image/png"))]
    data = {"model": "gpt-image-1", "prompt": "edit " + directive(usage=usage), "stream": str(stream).lower()}
    reply = post(money, raw, "edits", data=data, files=files)
    assert reply.status_code == 200, reply.text
    check(money, account, token_cost(11, 2 * 323, 1056))
    hold, _charge = hold_and_charge(money, account)
    assert hold >= 3 * BOUND * 10  # three input images at the image input price, at least


def test_edit_credits_per_image(money, upstream):
    raw, _, account = money.new_key(CREDITS)
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    reply = post(money, raw, "edits", json={"model": "dall-e-3", "prompt": "x", "n": 2, "size": "1792x1024",
                                            "quality": "hd", "images": [{"image_url": data_url}]})
    assert reply.status_code == 200, reply.text
    check(money, account, dalle_cost("1792x1024/hd", 2))
