"""The images tests' models, prices and files: DALL·E priced per image by
size and quality, a GPT image model priced by its tokens (text and image
input apart), and a GPT image model priced per image by the tier its
answers report."""
from __future__ import annotations

import base64

from tests.support.stack import Stack

DALLE = {"1024x1024/standard": 40_000, "1024x1024/hd": 80_000, "1792x1024/standard": 80_000,
         "1792x1024/hd": 120_000, "1024x1792/hd": 120_000}
MINI = {"1024x1024/low": 5_000, "1024x1024/medium": 11_000, "1024x1024/high": 36_000,
        "1536x1024/high": 52_000, "*/high": 60_000}
# Credits per 1M tokens, so every token costs a whole number of credits.
TOKENS = {"input_price": 5_000_000, "image_input_price": 10_000_000, "output_price": 40_000_000}
REQUEST_PRICE = 7
MODELS = ("dall-e-3", "gpt-image-1", "gpt-image-1-mini")

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256))
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(range(200))


def seed_images(stack: Stack, upstream_v1: str) -> None:
    stack.set_model("dall-e-3", image_prices=DALLE, input_price=0, output_price=0, request_price=REQUEST_PRICE)
    stack.set_model("gpt-image-1", request_price=REQUEST_PRICE, **TOKENS)
    stack.set_model("gpt-image-1-mini", image_prices=MINI, input_price=0, output_price=0,
                    request_price=REQUEST_PRICE)
    stack.set_model("chat-only-images", image_prices=DALLE, input_price=0, output_price=0)
    stack.add_channel("images", upstream_v1, list(MODELS), model_map={"gpt-image-1": "gpt-image-1-upstream"},
                      speaks="openai.images")
    stack.add_channel("chat", upstream_v1, ["chat-only-images"])


def dalle_cost(tier: str, n: int) -> int:
    return DALLE[tier] * n + REQUEST_PRICE


def token_cost(text: int, image: int, output: int) -> int:
    micro = text * TOKENS["input_price"] + image * TOKENS["image_input_price"] + output * TOKENS["output_price"]
    return -(-micro // 1_000_000) + REQUEST_PRICE


def image_usage(text: int, image: int, output: int) -> dict:
    return {"input_tokens": text + image, "input_tokens_details": {"text_tokens": text, "image_tokens": image},
            "output_tokens": output, "total_tokens": text + image + output}


def hold_and_charge(stack: Stack, account: int) -> tuple[int, int]:
    """The call's hold and charge, from the ledger (one call per account)."""
    kinds = {e.kind: e.amount for e in stack.entries(account)}
    return -kinds["reserve"], -kinds.get("charge", 0)
