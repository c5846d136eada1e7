"""Every documented operation, called against a live server with its
documented example (real ids and credentials filled in), answers with a
documented status and a body valid against that status's schema."""
from __future__ import annotations

import copy
import json
import time
from urllib.parse import urlsplit

import pytest
import requests
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tests.blueprints.api_v1.audio_stack import wav
from tests.blueprints.apidocs.conftest import MODEL, UNITS_MODEL, operations
from tests.fakes.upstream_client import directive

BASE = "urn:tollgate-openapi"


def validator_for(document: dict, schema: dict) -> Draft202012Validator:
    text = json.dumps(document).replace('"#/components/', f'"{BASE}#/components/')
    registry = Registry().with_resource(BASE, Resource.from_contents(
        {**json.loads(text), "$schema": "https://json-schema.org/draft/2020-12/schema"}))
    schema = json.loads(json.dumps(schema).replace('"#/components/', f'"{BASE}#/components/'))
    return Draft202012Validator(schema, registry=registry)


def check(document: dict, path: str, method: str, reply: requests.Response, expect: int) -> dict | None:
    op = document["paths"][path][method]
    assert reply.status_code == expect, (method, path, reply.status_code, reply.text[:500])
    documented = op["responses"].get(str(reply.status_code))
    assert documented is not None, (method, path, reply.status_code)
    media = reply.headers.get("content-type", "").split(";")[0]
    assert media in documented["content"], (method, path, media)
    if media != "application/json":
        return None
    body = reply.json()
    errors = sorted(validator_for(document, documented["content"][media]["schema"]).iter_errors(body), key=str)
    assert not errors, (method, path, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]])
    return body


class Caller:
    """Calls operations by id with the spec's example body, merged with
    what the test knows (real keys, order numbers, ids)."""

    def __init__(self, live, document, api_key, web):
        self.live, self.document, self.api_key, self.web = live, document, api_key, web
        self.ops = {op["operationId"]: (path, method, op) for path, method, op in operations(document)}
        self.called: set[str] = set()

    def __call__(self, op_id: str, expect: int = 200, params=None, body=None, **query) -> dict | None:
        path, method, op = self.ops[op_id]
        self.called.add(op_id)
        url_path = path
        for parameter in op.get("parameters", []):
            if parameter["in"] == "path":
                url_path = url_path.replace("{" + parameter["name"] + "}",
                                            str((params or {}).get(parameter["name"], parameter.get("example"))))
        example = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("example")
        payload = {**copy.deepcopy(example), **(body or {})} if example is not None else None
        security = {name for req in op.get("security", []) for name in req}
        if "session" in security:
            reply = self.web.api(method.upper(), url_path, json=payload, params=query)
        else:
            headers = {"Authorization": f"Bearer {self.api_key}"} if "bearer" in security else {}
            reply = requests.request(method.upper(), self.live.url + url_path, json=payload, params=query,
                                     headers=headers, timeout=60)
        return check(self.document, path, method, reply, expect)

    def multipart(self, op_id: str, expect: int = 200, files=None, **fields) -> dict | None:
        """A multipart operation (audio uploads) with its example fields and a one-second WAV."""
        path, method, op = self.ops[op_id]
        self.called.add(op_id)
        example = op["requestBody"]["content"]["multipart/form-data"]["example"]
        reply = requests.request(method.upper(), self.live.url + path, data={**example, **fields},
                                 files=files or {"file": ("clip.wav", wav(1), "audio/wav")},
                                 headers={"Authorization": f"Bearer {self.api_key}"}, timeout=60)
        return check(self.document, path, method, reply, expect)


@pytest.fixture(scope="module")
def call(live, document, api_key):
    return Caller(live, document, api_key, live.signed_in())


@pytest.mark.parametrize("prefix", ["", "apiV1_"])
def test_every_v1_operation_with_its_example(call, upstream, prefix):
    listed = call(prefix + "listModels")
    assert MODEL in [m["id"] for m in listed["data"]]
    assert call(prefix + "getModel", params={"model_id": MODEL})["id"] == MODEL
    call(prefix + "getModel", 404, params={"model_id": "no-such-model"})
    assert call(prefix + "getBalance")["balance"] > 0
    call(prefix + "getBillingSubscription")
    call(prefix + "getBillingUsage", start_date="2026-01-01", end_date="2026-12-31")
    completion = call(prefix + "createChatCompletion", body={"model": MODEL})
    assert completion["usage"]["credits"] > 0
    call(prefix + "createChatCompletion", 404, body={"model": "no-such-model"})
    legacy = call(prefix + "createCompletion", body={"model": MODEL})
    assert legacy["object"] == "text_completion" and legacy["usage"]["credits"] > 0
    call(prefix + "createCompletion", 404, body={"model": "no-such-model"})
    assert call(prefix + "createSpeech") is None  # audio/mpeg
    call.multipart(prefix + "createTranscription", 404, model="no-such-model")
    assert call.multipart(prefix + "createTranscription")["usage"]["type"] == "duration"
    assert call.multipart(prefix + "createTranslation", response_format="srt") is None  # text/plain
    call.multipart(prefix + "createTranslation", 400, files={"file": ("clip.wav", b"not audio", "audio/wav")})
    assert call(prefix + "createMessage", body={"model": MODEL})["type"] == "message"
    assert call(prefix + "countTokens", body={"model": MODEL})["input_tokens"] > 0
    made = call(prefix + "createResponse", body={"model": MODEL})
    assert call(prefix + "getResponse", params={"response_id": made["id"]})["id"] == made["id"]
    call(prefix + "deleteResponse", params={"response_id": made["id"]})
    call(prefix + "getResponse", 404, params={"response_id": made["id"]})
    call(prefix + "deleteResponse", 404, params={"response_id": made["id"]})


@pytest.mark.parametrize("prefix", ["", "apiV1_"])
def test_every_unit_billed_operation_with_its_example(call, upstream, prefix):
    vectors = call(prefix + "createEmbedding", body={"model": UNITS_MODEL})
    assert len(vectors["data"]) == 2 and vectors["usage"]["credits"] > 0
    call(prefix + "createEmbedding", 400, body={"model": UNITS_MODEL, "input": ""})
    call(prefix + "createEmbedding", 503, body={"model": MODEL})  # a chat-only channel
    assert call(prefix + "createModeration", body={"model": UNITS_MODEL})["results"][0]["flagged"] is False
    ranked = call(prefix + "createRerank", body={"model": UNITS_MODEL})
    assert ranked["results"][0]["document"] == {"text": "red apples"}
    call(prefix + "createRerank", 404, body={"model": "no-such-model"})


def test_every_gemini_embedding_operation_with_its_example(call, upstream):
    requests_ = [{"model": f"models/{UNITS_MODEL}", "content": {"parts": [{"text": t}]}} for t in ("a", "b")]
    for prefix in ("", "v1_"):
        assert call(prefix + "embedContent", params={"model": UNITS_MODEL})["embedding"]["values"]
        call(prefix + "embedContent", 400, params={"model": UNITS_MODEL}, body={"content": {}})
        batch = call(prefix + "batchEmbedContents", params={"model": UNITS_MODEL}, body={"requests": requests_})
        assert len(batch["embeddings"]) == 2
        call(prefix + "batchEmbedContents", 503, params={"model": MODEL},
             body={"requests": [{**r, "model": f"models/{MODEL}"} for r in requests_]})


def test_streams_are_event_streams(live, api_key, document, upstream):
    for path, body in (("/v1/chat/completions", {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}),
                       ("/v1/messages", {"model": MODEL, "max_tokens": 16,
                                         "messages": [{"role": "user", "content": "hi"}]}),
                       ("/v1/responses", {"model": MODEL, "input": "hi"}),
                       ("/v1/completions", {"model": MODEL, "prompt": "hi"})):
        reply = requests.post(live.url + path, json={**body, "stream": True}, timeout=60,
                              headers={"Authorization": f"Bearer {api_key}"})
        check(document, path, "post", reply, 200)
        assert reply.text.startswith(("data: ", "event: "))


def test_every_gemini_operation_with_its_example(call):
    listed = call("listGeminiModels")
    assert f"models/{MODEL}" in [m["name"] for m in listed["models"]]
    assert call("getGeminiModel", params={"model": MODEL})["name"] == f"models/{MODEL}"
    call("getGeminiModel", 404, params={"model": "no-such-model"})
    for prefix in ("", "v1_"):  # /v1beta, and /v1 as google-genai 3.x calls it
        assert call(prefix + "generateContent", params={"model": MODEL})["usageMetadata"]["credits"] > 0
        chunks = call(prefix + "streamGenerateContent", params={"model": MODEL})  # one JSON array
        assert chunks and chunks[-1]["usageMetadata"]["credits"] > 0
        assert call(prefix + "streamGenerateContent", params={"model": MODEL}, alt="sse") is None  # SSE
        assert call(prefix + "countGeminiTokens", params={"model": MODEL})["totalTokens"] > 0
        call(prefix + "generateContent", 404, params={"model": "no-such-model"})


def test_gemini_keys_and_errors(live, api_key, document, upstream):
    for how in ({"headers": {"x-goog-api-key": api_key}}, {"params": {"key": api_key}}):
        check(document, "/v1beta/models", "get", requests.get(live.url + "/v1beta/models", timeout=30, **how), 200)
    reply = requests.get(live.url + "/v1beta/models", timeout=30)
    assert check(document, "/v1beta/models", "get", reply, 401)["error"]["status"] == "UNAUTHENTICATED"
    path = f"/v1beta/models/{MODEL}:streamGenerateContent"
    reply = requests.post(live.url + path + "?alt=sse", timeout=60, headers={"x-goog-api-key": api_key},
                          json={"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
    check(document, "/v1beta/models/{model}:streamGenerateContent", "post", reply, 200)
    assert reply.text.startswith("data: ")
    reply = requests.post(live.url + f"/v1beta/models/{MODEL}:generateContent", json={"contents": []},
                          headers={"x-goog-api-key": api_key}, timeout=30)
    assert check(document, "/v1beta/models/{model}:generateContent", "post", reply, 400)["error"]["code"] == 400


def test_errors_have_the_documented_shapes(live, document):
    for path, method in (("/v1/models", "get"), ("/v1/messages", "post"), ("/api/v1/responses", "post")):
        reply = requests.request(method, live.url + path, json={}, timeout=30)
        check(document, path, method, reply, 401)
    reply = requests.post(live.url + "/api/quota/query", json={"apiKey": "sk-nope"}, timeout=30)
    assert check(document, "/api/quota/query", "post", reply, 400)["error"]["code"] == "INVALID_KEY"
    reply = requests.get(live.url + "/api/tokens", timeout=30)
    assert check(document, "/api/tokens", "get", reply, 401)["error"]["code"] == "unauthorized"


def test_every_store_operation_with_its_example(call, live, api_key):
    assert call("listTopupPackages")["data"] and call("listPurchasePlans")["data"]
    order = call("createPurchaseOrder", 201)["data"]
    mine = {"orderNo": order["orderNo"], "contactEmail": order["contactEmail"]}
    assert call("payPurchaseOrder", body=mine)["data"]["status"] == "PENDING"
    assert call("queryPurchaseOrder", body=mine)["data"]["status"] == "PENDING"
    call("claimPurchasedKey", 409, body=mine)
    paid = call.web.post_form(f"/pay/dev/{order['orderNo']}", {"contactEmail": order["contactEmail"]},
                              page=urlsplit(order["payUrl"])._replace(scheme="", netloc="").geturl())
    assert paid.status_code == 200, paid.text[:300]
    assert call("queryPurchaseOrder", body=mine)["data"]["status"] == "PAID"
    assert call("claimPurchasedKey", body=mine)["data"]["apiKey"].startswith("sk-")
    call("claimPurchasedKey", 410, body=mine)
    call("queryPurchaseOrder", 404, body={**mine, "contactEmail": "someone@example.com"})

    assert call("previewTopup", body={"apiKey": api_key})["data"]["availableQuota"] > 0
    topup = call("createTopupOrder", 201, body={"apiKey": api_key})["data"]
    mine = {"orderNo": topup["orderNo"], "contactEmail": topup["contactEmail"]}
    assert call("payTopupOrder", body=mine)["data"]["orderNo"] == topup["orderNo"]
    assert call("queryTopupOrder", body=mine)["data"]["credited"] is False
    assert call("queryQuota", body={"apiKey": api_key})["data"]["remainingTokens"] > 0
    assert "items" in call("usageLogs", body={"apiKey": api_key})["data"]


def test_every_token_operation_with_its_example(call):
    assert call("listTokens")["ok"] is True
    made = call("createToken", 201)
    token_id = made["token"]["id"]
    assert call("disableToken", params={"token_id": token_id})["token"]["status"] == "REVOKED"
    assert call("deleteToken", params={"token_id": token_id}) == {"ok": True}
    call("deleteToken", 404, params={"token_id": token_id})


def test_every_image_operation_with_its_example(call, live, api_key, document, upstream):
    live.set_model("dall-e-3", image_prices={"*": 1000}, input_price=0, output_price=0)
    live.add_channel("images", upstream.base_url_v1, ["dall-e-3"], speaks="openai.images")
    for prefix in ("", "apiV1_"):
        assert call(prefix + "createImage")["usage"]["credits"] == 1000
        assert call(prefix + "createImageEdit")["usage"]["credits"] == 1000
        call(prefix + "createImage", 404, body={"model": "no-such-model"})
    for path in ("/v1/images/edits", "/api/v1/images/edits"):  # the multipart form
        reply = requests.post(live.url + path, headers={"Authorization": f"Bearer {api_key}"}, timeout=60,
                              data={"model": "dall-e-3", "prompt": "x"},
                              files=[("image", ("a.png", b"\x89PNG\r\n\x1a\n" + bytes(32), "image/png"))])
        assert check(document, path, "post", reply, 200)["usage"]["credits"] == 1000
        reply = requests.post(live.url + path, headers={"Authorization": f"Bearer {api_key}"}, timeout=60,
                              data={"model": "dall-e-3", "prompt": "x"}, files=[("image", ("a.txt", b"text"))])
        assert check(document, path, "post", reply, 400)["error"]["code"] == "invalid_image_format"
    reply = requests.post(live.url + "/v1/images/generations", headers={"Authorization": f"Bearer {api_key}"},
                          json={"model": "dall-e-3", "prompt": "x", "stream": True}, timeout=60)
    check(document, "/v1/images/generations", "post", reply, 400)  # DALL·E does not stream


def test_every_video_operation_with_its_example(call, live, fake_upstream):
    live.set_model("sora-2", request_price=10, second_price=100)
    live.add_channel("videos", fake_upstream.base_url_v1, ["sora-2"], speaks="openai.videos")
    for prefix in ("", "apiV1_"):
        video = call(prefix + "createVideo")
        assert video["status"] in ("queued", "in_progress")
        deadline = time.monotonic() + 30
        while video["status"] != "completed" and time.monotonic() < deadline:
            time.sleep(0.3)
            video = call(prefix + "getVideo", params={"video_id": video["id"]})
        assert video["status"] == "completed", video
        assert call(prefix + "getVideoContent", params={"video_id": video["id"]}) is None  # video/mp4
        assert call(prefix + "remixVideo", params={"video_id": video["id"]})["remixed_from_video_id"] == video["id"]
        call(prefix + "getVideo", 404, params={"video_id": "video_nosuch"})


@pytest.mark.parametrize("prefix", ["", "apiV1_"])
def test_the_realtime_operation_over_plain_http(call, prefix):
    # The WebSocket itself is tests/blueprints/api_v1/test_realtime.py's; over plain HTTP the
    # checks before the upgrade answer in the documented shapes.
    call(prefix + "createRealtimeSession", 503, model=MODEL)  # a chat-only channel
    call(prefix + "createRealtimeSession", 404, model="no-such-model")
    call(prefix + "createRealtimeSession", 400)


def test_every_midjourney_operation_with_its_example(call, upstream):
    fast = directive(after=0.1)
    made = call("mjImagine", body={"prompt": "a lighthouse " + fast})
    assert made["code"] == 1 and made["result"].startswith("mj_")
    task_id = made["result"]
    deadline = time.monotonic() + 30
    shown = call("mjFetchTask", params={"task_id": task_id})
    while shown["status"] != "SUCCESS" and time.monotonic() < deadline:
        time.sleep(0.5)
        shown = call("mjFetchTask", params={"task_id": task_id})
    assert shown["status"] == "SUCCESS", shown
    assert [t["id"] for t in call("mjListTasks", body={"ids": [task_id]})] == [task_id]
    assert call("mjTaskImage", params={"task_id": task_id}) is None  # image/png
    assert call("mjAction", body={"taskId": task_id, "customId": shown["buttons"][0]["customId"],
                                  "state": fast})["code"] == 1
    for op_id in ("mjChange", "mjModal"):
        assert call(op_id, body={"taskId": task_id, "state": fast})["code"] == 1
    for op_id in ("mjBlend", "mjDescribe"):
        assert call(op_id, body={"state": fast})["code"] == 1
    assert call("mjImagine", body={"prompt": "forbidden " + directive(code=24)})["code"] == 24
    assert call("mjImagine", 400, body={"prompt": " "})["code"] == 4
    assert call("mjFetchTask", 404, params={"task_id": "mj_nope"})["code"] == 3
    call("mjTaskImage", 404, params={"task_id": "mj_nope"})
    call("mjListTasks", 400, body={"ids": "nope"})


def test_every_task_operation_with_its_example(call):
    """Image tasks and Suno: no task of this key exists, and the apidocs
    stack has no Suno model (404s in each door's shape)."""
    for prefix in ("", "apiV1_"):
        call(prefix + "getImageTask", 404)
        call(prefix + "getImageTaskContent", 404)
    assert call("submitSunoTask", 404)["code"] == "model_not_available"
    call("submitSunoTask", 400, params={"action": "dance"})
    assert call("fetchSunoTask", 404)["code"] == "not_found"
    assert call("fetchSunoTasks")["data"] == []
    call("getSunoClip", 404)


def test_every_kling_and_jimeng_operation_with_its_example(call, live, fake_upstream):
    from tests.fakes.upstream import jimeng_wire, kling_wire
    from tests.fakes.upstream_client import directive

    live.set_model("kling-v1", request_price=5, video_prices={"std": 100, "pro": 300})
    live.add_channel("kling", fake_upstream.url + "/kling", ["kling-v1"], provider="kling", api_key=kling_wire.KEY)
    live.set_model("jimeng_vgfm_t2v_l20", video_prices={"*": 100})
    live.add_channel("jimeng", fake_upstream.url + "/jimeng", ["jimeng_vgfm_t2v_l20"], provider="jimeng",
                     api_key=jimeng_wire.KEY)
    fast = directive(after=0.2)

    def until(op_id: str, done, **kw):
        deadline, shown = time.monotonic() + 30, call(op_id, **kw)
        while not done(shown) and time.monotonic() < deadline:
            time.sleep(0.3)
            shown = call(op_id, **kw)
        assert done(shown), shown
        return shown

    for kind, (submit, get, content) in {"text2video": ("klingText2Video", "klingGetText2Video",
                                                        "klingText2VideoContent"),
                                         "image2video": ("klingImage2Video", "klingGetImage2Video",
                                                         "klingImage2VideoContent")}.items():
        made = call(submit, body={"prompt": "a lighthouse " + fast})
        task_id = made["data"]["task_id"]
        assert made["code"] == 0 and task_id.startswith("kling_")
        call(content, 404, params={"task_id": task_id})  # not ready yet, or unknown
        shown = until(get, lambda s: s["data"]["task_status"] == "succeed", params={"task_id": task_id})
        assert shown["data"]["task_result"]["videos"][0]["url"].endswith(f"/{task_id}/content")
        assert call(content, params={"task_id": task_id}) is None  # video/mp4
        call(get, 404, params={"task_id": "kling_nosuch"})
        call(submit, 400, body={"duration": "7"})
    assert call("klingText2Video", body={"prompt": "x " + directive(code=1102)})["code"] == 1102  # refused, as it came
    made = call("jimengAction", body={"prompt": "a lighthouse " + fast}, Action="CVSync2AsyncSubmitTask")
    task_id = made["data"]["task_id"]
    assert made["code"] == 10000 and task_id.startswith("jimeng_")
    shown = until("jimengAction", lambda s: s["data"]["status"] == "done", Action="CVSync2AsyncGetResult",
                  body={"task_id": task_id})
    assert shown["data"]["video_url"].endswith(f"/jimeng/content/{task_id}")
    assert call("jimengContent", params={"task_id": task_id}) is None  # video/mp4
    call("jimengContent", 404, params={"task_id": "jimeng_nosuch"})
    call("jimengAction", 404, Action="CVSync2AsyncGetResult", body={"task_id": "jimeng_nosuch"})
    call("jimengAction", 400, Action="Nope")


def test_every_documented_operation_was_called(call):
    # Runs last in this module: the tests above must have called them all.
    assert sorted(set(call.ops) - call.called) == []
