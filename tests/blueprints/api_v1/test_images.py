"""POST /v1/images/generations and /v1/images/edits through the openai SDK,
against the fake upstream's images API:

- passed through to a channel speaking openai.images (model renamed), as
  url or b64_json, n > 1, streamed partial images relayed as they come;
- edits upload their files as they came (repeated `image[]`, `mask`), with
  content types from their bytes, or send JSON image references;
- billed per image by tier, or by tokens, never above the hold;
- a non-image upload is a 400 and an oversized one a 413 (before the body
  is read), neither reaching the upstream nor billed."""
from __future__ import annotations

import base64
import hashlib
import socket
import time

import openai
import pytest
import requests
from openai import OpenAI

from tests.blueprints.api_v1.image_stack import DALLE, JPEG, MINI, PNG, REQUEST_PRICE, WEBP, dalle_cost, \
    hold_and_charge, image_usage, seed_images, token_cost
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack

CREDITS = 10_000_000
UPLOAD_LIMIT = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def istack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="images", env={"IMAGE_UPLOAD_MAX_BYTES": str(UPLOAD_LIMIT)})
    seed_images(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


@pytest.fixture
def client_for(istack):
    raw, _, account = istack.new_key(CREDITS)
    return OpenAI(api_key=raw, base_url=istack.base_url, max_retries=0, timeout=30), account


def assert_charged(stack, account: int, model: str, cost: int):
    (log,) = stack.logs(account)
    assert (log.status, log.model, log.credits, log.door) == (200, model, cost, "images")
    hold, charge = hold_and_charge(stack, account)
    assert charge == cost <= hold
    assert stack.balance(account) == CREDITS - cost
    assert stack.verify() == []


def assert_not_billed(stack, upstream, account: int):
    assert upstream.stats()["calls"] == 0
    assert stack.balance(account) == CREDITS
    assert all(log.credits == 0 and log.status >= 400 for log in stack.logs(account))


@pytest.mark.parametrize("response_format", ["url", "b64_json"])
def test_dalle_generation(istack, upstream, client_for, response_format):
    client, account = client_for
    result = client.images.generate(model="dall-e-3", prompt="a lighthouse", n=2, size="1792x1024",
                                    quality="hd", response_format=response_format)
    assert len(result.data) == 2
    if response_format == "url":
        assert all(image.url.startswith("https://") and image.b64_json is None for image in result.data)
    else:
        assert all(base64.b64decode(image.b64_json) == PNG for image in result.data)
    assert result.data[0].revised_prompt == "a lighthouse"
    assert result.usage.model_extra["credits"] == dalle_cost("1792x1024/hd", 2)
    sent = upstream.last_request()
    assert sent["path"] == "/v1/images/generations"
    assert sent["body"] == {"model": "dall-e-3", "prompt": "a lighthouse", "n": 2, "size": "1792x1024",
                            "quality": "hd", "response_format": response_format}
    assert_charged(istack, account, "dall-e-3", dalle_cost("1792x1024/hd", 2))


def test_dalle_defaults_are_1024_standard(istack, upstream, client_for):
    client, account = client_for
    client.images.generate(model="dall-e-3", prompt="a cat")
    assert_charged(istack, account, "dall-e-3", dalle_cost("1024x1024/standard", 1))


def test_token_billed_generation_on_api_v1(istack, upstream, client_for):
    client, account = client_for
    client = client.with_options(base_url=istack.url + "/api/v1")
    usage = image_usage(30, 0, 4160)
    result = client.images.generate(model="gpt-image-1", prompt="a fox " + directive(usage=usage), n=1,
                                    size="1024x1024", quality="high")
    assert base64.b64decode(result.data[0].b64_json) == PNG
    assert (result.size, result.quality) == ("1024x1024", "high")
    assert result.usage.input_tokens == 30 and result.usage.output_tokens == 4160
    assert result.usage.model_extra["credits"] == token_cost(30, 0, 4160)
    assert upstream.last_request()["body"]["model"] == "gpt-image-1-upstream"
    assert_charged(istack, account, "gpt-image-1", token_cost(30, 0, 4160))


def test_per_image_tier_is_the_one_the_answer_reports(istack, upstream, client_for):
    # Asked "auto": held at the dearest entry, billed at what was made.
    client, account = client_for
    client.images.generate(model="gpt-image-1-mini", prompt="a boat", n=3, size="auto", quality="auto")
    hold, _charge = hold_and_charge(istack, account)
    assert hold == 3 * max(MINI.values()) + REQUEST_PRICE
    assert_charged(istack, account, "gpt-image-1-mini", 3 * MINI["1024x1024/high"] + REQUEST_PRICE)


@pytest.mark.parametrize("n", [1, 2])
def test_streamed_partial_images(istack, upstream, client_for, n):
    client, account = client_for
    usage = image_usage(12, 0, 1056)
    stream = client.images.generate(model="gpt-image-1", prompt="a tree " + directive(usage=usage, delay=0.05),
                                    n=n, stream=True, partial_images=2, size="1024x1024", quality="medium")
    events = list(stream)
    kinds = [event.type for event in events]
    image = ["image_generation.partial_image"] * 2 + ["image_generation.completed"]
    assert kinds == image * n
    assert [e.partial_image_index for e in events if e.type.endswith("partial_image")] == [0, 1] * n
    completed = [e for e in events if e.type == "image_generation.completed"]
    assert all(base64.b64decode(e.b64_json) == PNG and e.usage.output_tokens == 1056 for e in completed)
    # The input is counted once, each image's output tokens add up.
    assert_charged(istack, account, "gpt-image-1", token_cost(12, 0, 1056 * n))


@pytest.mark.parametrize("break_after, images", [(1, 0), (3, 1)])
def test_a_broken_stream_bills_the_images_completed(istack, upstream, client_for, break_after, images):
    client, account = client_for
    response = requests.post(istack.url + "/v1/images/generations", timeout=30,
                             headers={"Authorization": f"Bearer {client.api_key}"},
                             json={"model": "gpt-image-1-mini", "prompt": "x " + directive(break_after=break_after),
                                   "stream": True, "partial_images": 1, "n": 2, "quality": "high"})
    assert response.text.count("event: image_generation.completed") == images
    assert '"provider_error"' in response.text  # an error event, not a silent cut
    (log,) = istack.logs(account)
    assert log.status == 502 and log.credits == images * MINI["1024x1024/high"] + REQUEST_PRICE
    assert istack.balance(account) == CREDITS - log.credits and istack.verify() == []


def test_streamed_events_arrive_as_they_come(istack, upstream, client_for):
    client, _account = client_for
    response = requests.post(istack.url + "/v1/images/generations", stream=True, timeout=30,
                             headers={"Authorization": f"Bearer {client.api_key}"},
                             json={"model": "gpt-image-1", "prompt": "slow " + directive(delay=0.6),
                                   "stream": True, "partial_images": 2})
    assert response.headers["content-type"].startswith("text/event-stream")
    started = time.monotonic()
    chunks = response.iter_content(chunk_size=None)
    first = next(chunks)
    assert b"image_generation.partial_image" in first and time.monotonic() - started < 0.5
    rest = b"".join(chunks)
    assert time.monotonic() - started > 1.0  # the partial image came well before the end
    assert (first + rest).count(b"event: image_generation.") == 3 and rest.endswith(b"\n\n")


def test_edit_uploads_reach_the_upstream_intact_and_repeated(istack, upstream, client_for):
    client, account = client_for
    usage = image_usage(20, 323 * 3, 1056)
    result = client.images.edit(model="gpt-image-1", prompt="put them together " + directive(usage=usage),
                                image=[("a.png", PNG, "application/octet-stream"), ("b.jpg", JPEG),
                                       ("c.webp", WEBP)],
                                mask=("mask.png", PNG), size="1024x1024", quality="medium")
    assert len(result.data) == 1
    sent = upstream.last_request()
    assert sent["path"] == "/v1/images/edits" and sent["headers"]["content-type"].startswith("multipart/form-data")
    assert sent["form"]["model"] == "gpt-image-1-upstream" and sent["form"]["prompt"].startswith("put them")
    assert (sent["form"]["size"], sent["form"]["quality"]) == ("1024x1024", "medium")
    files = [(f["field"], f["filename"], f["content_type"], f["sha256"]) for f in sent["files"]]
    assert files == [("image[]", "a.png", "image/png", hashlib.sha256(PNG).hexdigest()),
                     ("image[]", "b.jpg", "image/jpeg", hashlib.sha256(JPEG).hexdigest()),
                     ("image[]", "c.webp", "image/webp", hashlib.sha256(WEBP).hexdigest()),
                     ("mask", "mask.png", "image/png", hashlib.sha256(PNG).hexdigest())]
    assert base64.b64decode(sent["files"][1]["b64"]) == JPEG
    assert_charged(istack, account, "gpt-image-1", token_cost(20, 323 * 3, 1056))


def test_edit_one_image_as_a_file(istack, upstream, client_for, tmp_path):
    client, account = client_for
    path = tmp_path / "photo.png"
    path.write_bytes(PNG + bytes(300_000))  # past werkzeug's in-memory size: spooled to disk
    with path.open("rb") as handle:
        result = client.images.edit(model="dall-e-3", prompt="make it blue", image=handle, n=2,
                                    response_format="b64_json")
    assert len(result.data) == 2
    sent = upstream.last_request()
    assert [(f["field"], f["filename"], f["size"]) for f in sent["files"]] == [("image", "photo.png",
                                                                                len(PNG) + 300_000)]
    assert sent["files"][0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sent["form"]["n"] == "2" and sent["form"]["response_format"] == "b64_json"
    assert_charged(istack, account, "dall-e-3", dalle_cost("1024x1024/standard", 2))


def test_edit_stream(istack, upstream, client_for):
    client, account = client_for
    usage = image_usage(8, 323, 272)
    stream = client.images.edit(model="gpt-image-1", prompt="edit " + directive(usage=usage), image=("a.png", PNG),
                                stream=True, partial_images=1, quality="low")
    kinds = [event.type for event in stream]
    assert kinds == ["image_edit.partial_image", "image_edit.completed"]
    assert upstream.last_request()["form"]["stream"] == "true"
    assert_charged(istack, account, "gpt-image-1", token_cost(8, 323, 272))


def test_edit_with_json_image_references(istack, upstream, client_for):
    client, account = client_for
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    body = {"model": "gpt-image-1", "prompt": "combine " + directive(usage=image_usage(9, 646, 1056)),
            "images": [{"image_url": data_url}, {"file_id": "file-abc123"}], "size": "1024x1024"}
    answer = client.post("/images/edits", body=body, cast_to=object)
    assert answer["usage"]["credits"] == token_cost(9, 646, 1056)
    sent = upstream.last_request()
    assert sent["path"] == "/v1/images/edits" and sent["body"]["images"] == body["images"]
    assert sent["body"]["model"] == "gpt-image-1-upstream"
    assert_charged(istack, account, "gpt-image-1", token_cost(9, 646, 1056))


def test_a_file_that_is_not_an_image_is_a_400_and_not_billed(istack, upstream, client_for):
    client, account = client_for
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(model="dall-e-3", prompt="x", image=[("a.png", PNG), ("notes.png", b"just some text")])
    assert caught.value.code == "invalid_image_format" and "notes.png" in caught.value.message
    assert_not_billed(istack, upstream, account)


def test_an_upload_over_the_limit_is_a_413(istack, upstream, client_for):
    client, account = client_for
    with pytest.raises(openai.APIStatusError) as caught:
        client.images.edit(model="dall-e-3", prompt="x", image=("big.png", PNG + bytes(UPLOAD_LIMIT)))
    assert caught.value.status_code == 413 and caught.value.code == "request_too_large"
    assert_not_billed(istack, upstream, account)


def test_a_huge_declared_length_is_refused_before_the_body_is_read(istack, upstream, client_for):
    client, account = client_for
    host, port = istack.url.split("//")[1].split(":")
    head = (f"POST /v1/images/edits HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {client.api_key}\r\n"
            "Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 50000000000\r\n\r\n")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode() + b"--xyz\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nx\r\n")
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert time.monotonic() - started < 5
    assert_not_billed(istack, upstream, account)


@pytest.mark.parametrize("call, code", [
    ({"n": 11}, "invalid_request"), ({"response_format": "gif"}, "invalid_request"),
    ({"prompt": ""}, "prompt_required"), ({"model": ""}, "model_required"), ({"partial_images": 4}, "invalid_request"),
    ({"api_base": "http://evil.example"}, "invalid_request"),
])
def test_bad_generation_bodies_are_400s(istack, upstream, client_for, call, code):
    client, account = client_for
    with pytest.raises(openai.BadRequestError) as caught:
        client.post("/images/generations", body={"model": "dall-e-3", "prompt": "x", **call}, cast_to=object)
    assert caught.value.code == code
    assert_not_billed(istack, upstream, account)


def test_edits_need_an_image(istack, upstream, client_for):
    client, account = client_for
    with pytest.raises(openai.BadRequestError) as caught:
        client.post("/images/edits", body={"model": "gpt-image-1", "prompt": "x", "images": []}, cast_to=object)
    assert caught.value.code == "image_required"
    with pytest.raises(openai.BadRequestError):
        client.images.edit(model="dall-e-3", prompt="x", image=[], mask=("m.png", PNG))
    assert_not_billed(istack, upstream, account)


def test_a_model_no_images_channel_serves_is_a_503(istack, upstream, client_for):
    client, account = client_for
    with pytest.raises(openai.APIStatusError) as caught:
        client.images.generate(model="chat-only-images", prompt="x")
    assert caught.value.status_code == 503
    assert_not_billed(istack, upstream, account)


def test_the_hold_must_be_covered(istack, upstream):
    raw, _, account = istack.new_key(DALLE["1792x1024/hd"])  # short of the request price on top
    client = OpenAI(api_key=raw, base_url=istack.base_url, max_retries=0)
    with pytest.raises(openai.APIStatusError) as caught:
        client.images.generate(model="dall-e-3", prompt="x", size="1792x1024", quality="hd")
    assert caught.value.status_code == 402
    assert upstream.stats()["calls"] == 0 and istack.balance(account) == DALLE["1792x1024/hd"]


def test_upstream_errors_are_openai_errors_and_free(istack, upstream, client_for):
    client, account = client_for
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="dall-e-3", prompt="x " + directive(status=400, error_message="unsafe prompt"))
    assert "unsafe prompt" in caught.value.message
    assert istack.balance(account) == CREDITS and istack.verify() == []
