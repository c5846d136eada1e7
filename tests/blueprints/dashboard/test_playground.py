"""The playground's endpoint over real HTTP (gunicorn, fake upstream): a
signed-in owner chats through their own key, on the same money path as a
/v1 call with it (hold, settle, request log, the key's limits), and every
refusal: another user's key, a disabled or deleted key, no CSRF token, not
signed in, a model the key may not use, a bad body, too few credits."""
from __future__ import annotations

import re

import orjson
import pytest

from extensions import db
from models import ApiKey
from services.billing import ledger
from tests.blueprints.dashboard.conftest import TRIAL
from tests.fakes.upstream_client import directive
from tests.support.untranslated import chinese_for

CHAT = "/dashboard/playground/chat"


def new_key(web, name="pg key", **fields) -> int:
    made = web.api("POST", "/api/tokens", json={"displayName": name, **fields})
    assert made.status_code == 201, made.text
    return int(made.json()["token"]["id"][4:])


def say(text: str = "hello") -> list[dict]:
    return [{"role": "user", "content": text}]


def chunks(reply) -> list:
    """The SSE data of a streamed answer, [DONE] included."""
    out = []
    for block in reply.text.replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].lstrip() for line in block.split("\n") if line.startswith("data:")]
        if data:
            text = "\n".join(data)
            out.append(text if text == "[DONE]" else orjson.loads(text))
    return out


def chat(web, key_id, messages=None, model="fake-model", **kw):
    return web.api("POST", CHAT, json={"key_id": key_id, "model": model, "messages": say() if messages is None else messages}, **kw)


def test_the_page_lists_active_keys_and_the_models_each_may_use(dash):
    web = dash.user()
    open_key = new_key(web, "open key")
    narrow = new_key(web, "narrow key", allowedModels=["flat-model"])
    private = new_key(web, "private key")
    with dash.app.app_context():  # only an operator can allow-list a private model
        db.session.get(ApiKey, private).allowed_models = ["hidden-model"]
        db.session.commit()
    off = new_key(web, "revoked key")
    web.api("PATCH", f"/api/tokens/key_{off}/disable")
    page = web.get("/dashboard/playground")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"] and "<script>" not in page.text
    assert "/static/js/playground.js" in page.text and 'href="/dashboard/playground"' in page.text
    options = dict(re.findall(r'<option value="(\d+)" data-models=\'([^\']*)\'', page.text))
    assert set(options) == {str(open_key), str(narrow), str(private)}  # the revoked key is not offered
    assert orjson.loads(options[str(open_key)]) == ["client-name", "fake-model", "flat-model"]
    assert orjson.loads(options[str(narrow)]) == ["flat-model"]
    assert orjson.loads(options[str(private)]) == ["hidden-model"]  # its allow-list, private model included


def test_a_streamed_answer_is_billed_like_a_v1_call(dash, upstream):
    web = dash.user()
    key_id = new_key(web)
    account = dash.account_of(web.email)
    before = dash.balance(account)
    text = "hi " + directive(reply="Hello from the playground", usage={"prompt_tokens": 12, "completion_tokens": 7})
    reply = chat(web, key_id, say(text))
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = chunks(reply)
    assert events[-1] == "[DONE]"
    content = "".join(c["choices"][0]["delta"].get("content") or "" for c in events[:-1] if c.get("choices"))
    assert content == "Hello from the playground"
    usage = [c["usage"] for c in events[:-1] if c.get("usage")][-1]
    assert usage["prompt_tokens"] == 12 and usage["completion_tokens"] == 7 and usage["credits"] > 0
    [row] = dash.logs(account)
    assert (row.key_id, row.model, row.door, row.stream, row.status) == (key_id, "fake-model", "openai", True, 200)
    assert (row.prompt_tokens, row.completion_tokens, row.credits) == (12, 7, usage["credits"])
    assert dash.balance(account) == before - usage["credits"]
    assert dash.key_row(key_id).spent == usage["credits"]
    assert dash.verify() == []


def test_a_conversation_carries_its_history(dash, upstream):
    web = dash.user()
    key_id = new_key(web)
    history = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "one"},
               {"role": "assistant", "content": "two"}, {"role": "user", "content": "three"}]
    reply = chat(web, key_id, history)
    assert reply.status_code == 200 and chunks(reply)[-1] == "[DONE]"
    assert upstream.last_request()["body"]["messages"] == history


def test_another_users_key_a_disabled_and_a_deleted_key_are_404(dash):
    owner, other = dash.user(), dash.user()
    theirs = new_key(owner)
    mine_off, mine_gone = new_key(other, "off"), new_key(other, "gone")
    other.api("PATCH", f"/api/tokens/key_{mine_off}/disable")
    other.api("DELETE", f"/api/tokens/key_{mine_gone}")
    for key_id in (theirs, mine_off, mine_gone, 999_999_999, "x", True, None, 10 ** 30):
        reply = chat(other, key_id)
        assert reply.status_code == 404, (key_id, reply.text)
        assert reply.json()["error"]["code"] == "key_not_found"
    assert dash.logs(dash.account_of(owner.email)) == []


def test_csrf_and_sign_in_are_required(dash):
    web = dash.user()
    key_id = new_key(web)
    no_token = chat(web, key_id, csrf=False)
    assert no_token.status_code == 400 and "CSRF" in no_token.text
    foreign = chat(web, key_id, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    stranger = dash.visitor()
    stranger.get("/signin")
    reply = stranger.api("POST", CHAT, json={"key_id": key_id, "model": "fake-model", "messages": say()})
    assert reply.status_code in (400, 401)  # no session: refused by CSRF or by the sign-in check
    assert dash.logs(dash.account_of(web.email)) == []


def test_bad_bodies_and_forbidden_models(dash):
    web = dash.user()
    key_id = new_key(web, allowedModels=["fake-model"])
    for messages in ([], [{"role": "tool", "content": "x"}], [{"role": "user", "content": ""}],
                     [{"role": "user", "content": ["parts"]}], "hello", [1]):
        reply = chat(web, key_id, messages)
        assert reply.status_code == 400, messages
        assert reply.json()["error"]["code"] == "invalid_request"
    assert web.api("POST", CHAT, data="not json", headers={"Content-Type": "application/json"}).status_code == 400
    assert chat(web, key_id, model="").status_code == 400
    refused = chat(web, key_id, model="flat-model")  # outside the key's allow-list
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "model_not_available"
    assert refused.json()["error"]["message"] == "This key may not use this model."


def test_too_few_credits_is_refused_and_logged(dash, upstream):
    web = dash.user()
    key_id = new_key(web)
    account = dash.account_of(web.email)
    with dash.app.app_context():  # spend the trial credits
        ledger.post(account, -ledger.balance_of(account), "adjust", f"drain:{account}", note="test")
    reply = chat(web, key_id)
    assert reply.status_code == 402
    error = reply.json()["error"]
    assert error["code"] == "insufficient_credits" and "Insufficient credits" in error["detail"]
    assert error["message"].startswith("Not enough credits")
    zh = chat(web, key_id, headers={"Accept-Language": "zh-CN"}, cookies={"lang": "zh"})
    assert zh.json()["error"]["message"] == chinese_for(error["message"])
    rows = dash.logs(account)
    assert [(r.status, r.error_code, r.credits) for r in rows] == [(402, "insufficient_credits", 0)] * 2
    assert dash.balance(account) == 0 and upstream.stats()["calls"] == 0


def test_the_keys_own_spend_cap_and_rate_limit_apply(dash, upstream):
    web = dash.user()
    capped = new_key(web, "capped", spendCap=1)
    first = chat(web, capped, say("x " + directive(reply="ok", usage={"prompt_tokens": 5, "completion_tokens": 2})))
    assert first.status_code in (200, 402)
    # A cap of one credit leaves nothing for a second answer.
    second = chat(web, capped)
    assert second.status_code == 402 and second.json()["error"]["code"] == "insufficient_credits"
    slow = new_key(web, "slow", rpm=1)
    assert chat(web, slow).status_code == 200
    limited = chat(web, slow)
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"


def test_the_page_in_chinese(dash):
    web = dash.user()
    new_key(web)
    page = web.get("/dashboard/playground?lang=zh").text
    assert "在线体验" in page and "新对话" in page and "Playground" not in page


@pytest.mark.parametrize("path", ["/dashboard/playground"])
def test_signed_out_visitors_are_sent_to_sign_in(dash, path):
    reply = dash.visitor().get(path, allow_redirects=False)
    assert reply.status_code == 302 and "/signin" in reply.headers["Location"]
