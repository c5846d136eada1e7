"""The key lifecycle through the dashboard's pages, against /v1 over real
HTTP: create (shown once), use, caps, revoke (refused at once), delete
(hidden, refused); escaping; other people's keys; the usage page."""
from __future__ import annotations

import html
import re

import pytest
import requests
from openai import AuthenticationError, OpenAI

from tests.fakes.upstream_client import directive

KEY = re.compile(r'id="api-key">(sk-[A-Za-z0-9_\-]+)<')


def create(web, name: str, **caps) -> tuple[str, int]:
    reply = web.post_form("/dashboard/keys", {"name": name, **caps})
    assert reply.status_code == 201, reply.text[:800]
    raw = KEY.search(reply.text).group(1)
    assert f'data-copy="{raw}"' in reply.text  # the copy button
    assert reply.headers["Cache-Control"] == "no-store"
    key_id = int(re.search(r'href="/dashboard/keys/(\d+)"', web.get("/dashboard/keys").text).group(1))
    return raw, key_id


def chat(dash, raw: str, text: str = "hi", **kw):
    client = OpenAI(api_key=raw, base_url=dash.base_url, max_retries=0, timeout=30)
    return client.chat.completions.create(model="fake-model", messages=[{"role": "user", "content": text}], **kw)


def v1_status(dash, raw: str) -> int:
    return requests.post(dash.base_url + "/chat/completions", headers={"Authorization": f"Bearer {raw}"},
                         json={"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]},
                         timeout=30).status_code


def test_key_lifecycle_through_the_pages(dash, upstream):
    web = dash.user()
    raw, key_id = create(web, "build server")
    listing = web.get("/dashboard/keys").text
    assert "build server" in listing and f"sk-****{raw[-4:]}" in listing and raw not in listing
    assert raw not in web.get(f"/dashboard/keys/{key_id}").text  # never shown again

    reply = chat(dash, raw, "hello " + directive(reply="works", usage={"prompt_tokens": 7, "completion_tokens": 3}),
                 extra_headers={"User-Agent": "<b>agent</b>"})
    assert reply.choices[0].message.content == "works"
    usage = web.get("/dashboard/usage").text
    assert "fake-model" in usage and "<rect" in usage and "&lt;b&gt;agent&lt;/b&gt;" in usage
    assert "<td>200</td>" in usage and "Matching requests: 1" in usage
    filtered = web.get(f"/dashboard/usage?key={key_id}&status=error").text
    assert "Matching requests: 0" in filtered
    assert "Matching requests: 1" in web.get(f"/dashboard/usage?key={key_id}&status=ok&model=fake-model").text
    overview = web.get("/dashboard/").text
    assert f"sk-****{raw[-4:]}" in overview and 'id="key-count">1<' in overview

    renamed = web.post_form(f"/dashboard/keys/{key_id}/rename", {"name": "ci"}, page=f"/dashboard/keys/{key_id}")
    assert renamed.url.endswith(f"/dashboard/keys/{key_id}") and "<h1>ci</h1>" in renamed.text

    revoked = web.post_form(f"/dashboard/keys/{key_id}/disable", {}, page=f"/dashboard/keys/{key_id}")
    assert "REVOKED" in revoked.text
    with pytest.raises(AuthenticationError):
        chat(dash, raw)
    assert "REVOKED" in web.get("/dashboard/keys").text

    deleted = web.post_form(f"/dashboard/keys/{key_id}/delete", {}, page=f"/dashboard/keys/{key_id}")
    assert deleted.url.endswith("/dashboard/keys") and f"sk-****{raw[-4:]}" not in deleted.text
    assert web.get(f"/dashboard/keys/{key_id}").status_code == 404
    assert dash.key_row(key_id).status == "deleted"  # the row stays for orders and logs
    assert v1_status(dash, raw) == 401


def test_delete_refuses_an_active_key_at_once(dash):
    web = dash.user()
    raw, key_id = create(web, "short lived")
    assert v1_status(dash, raw) == 200
    web.post_form(f"/dashboard/keys/{key_id}/delete", {}, page=f"/dashboard/keys/{key_id}")
    assert v1_status(dash, raw) == 401


def test_caps_are_saved_validated_and_enforced(dash):
    web = dash.user()
    raw, key_id = create(web, "capped", spend_cap="1,000", expires_at="2099-12-31", allowed_models="flat-model",
                         rpm="30")
    row = dash.key_row(key_id)
    assert (row.spend_cap, row.allowed_models, row.rpm) == (1000, ["flat-model"], 30)
    assert row.expires_at.strftime("%Y-%m-%d") == "2100-01-01"  # through the whole last day
    page = web.get(f"/dashboard/keys/{key_id}").text
    assert 'value="2099-12-31"' in page and 'value="flat-model"' in page
    assert v1_status(dash, raw) == 404  # fake-model is not allowed for this key: as if it did not exist

    bad = web.post_form(f"/dashboard/keys/{key_id}/caps", {"spend_cap": "-5"}, page=f"/dashboard/keys/{key_id}")
    assert bad.status_code == 400 and "whole number" in bad.text
    unknown = web.post_form(f"/dashboard/keys/{key_id}/caps", {"allowed_models": "no-such-model"},
                            page=f"/dashboard/keys/{key_id}")
    assert unknown.status_code == 400 and "Unknown model" in unknown.text
    cleared = web.post_form(f"/dashboard/keys/{key_id}/caps", {"spend_cap": "", "expires_at": "",
                                                               "allowed_models": "", "rpm": ""},
                            page=f"/dashboard/keys/{key_id}")
    assert cleared.status_code == 200 and "Limits saved." in cleared.text
    row = dash.key_row(key_id)
    assert (row.spend_cap, row.expires_at, row.allowed_models, row.rpm) == (None, None, None, None)
    assert v1_status(dash, raw) == 200  # the lifted allow-list counts at once

    past = web.post_form(f"/dashboard/keys/{key_id}/caps", {"expires_at": "2001-01-01"},
                         page=f"/dashboard/keys/{key_id}")
    assert past.status_code == 200 and "EXPIRED" in past.text
    assert v1_status(dash, raw) == 401


def test_key_names_are_escaped(dash):
    web = dash.user()
    name = "<script>alert(1)</script>"
    _, key_id = create(web, name)
    for path in ("/dashboard/", "/dashboard/keys", f"/dashboard/keys/{key_id}", "/dashboard/usage"):
        text = web.get(path).text
        assert name not in text and html.escape(name, quote=False) in text.replace("&#34;", '"'), path


def test_another_users_key_is_a_404_everywhere(dash):
    alice, mallory = dash.user(), dash.user()
    raw, key_id = create(alice, "alice's")
    assert mallory.get(f"/dashboard/keys/{key_id}").status_code == 404
    for action, data in (("rename", {"name": "mine"}), ("caps", {"rpm": "1"}), ("disable", {}), ("delete", {})):
        reply = mallory.post_form(f"/dashboard/keys/{key_id}/{action}", data, page="/dashboard/keys")
        assert reply.status_code == 404, action
    row = dash.key_row(key_id)
    assert (row.name, row.status, row.rpm) == ("alice's", "active", None)
    assert "alice&#39;s" not in mallory.get("/dashboard/keys").text
    assert v1_status(dash, raw) == 200


def test_the_usage_page_lists_my_tasks_and_only_mine(dash, fake_upstream):
    from tests.blueprints.api_v1.task_stack import wait_finished

    # Private, and allowed to this one key: the session's other tests list the public models.
    dash.set_model("sora-dash", request_price=5, second_price=10, capabilities=["videos"], public=False)
    dash.add_channel("videos-dash", fake_upstream.base_url_v1, ["sora-dash"], speaks="openai.videos")
    web, other = dash.user(), dash.user()
    raw, key_id = create(web, "video maker")
    with dash.app.app_context():
        from extensions import db
        from models import ApiKey
        db.session.get(ApiKey, key_id).allowed_models = ["sora-dash"]
        db.session.commit()
    reply = requests.post(dash.base_url + "/videos", headers={"Authorization": f"Bearer {raw}"}, timeout=30,
                          json={"model": "sora-dash", "prompt": "waves " + directive(after=0.3)})
    assert reply.status_code == 200, reply.text
    video_id = reply.json()["id"]
    wait_finished(dash, video_id)
    usage = web.get("/dashboard/usage").text
    assert video_id in usage and "Succeeded" in usage and "video maker" in usage
    assert video_id not in other.get("/dashboard/usage").text
