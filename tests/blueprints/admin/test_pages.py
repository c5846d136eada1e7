"""The admin pages in process (SQLite): every page renders for an operator
in both languages, each form does its one thing and leaves an audit entry,
the upstream key is write-only, and whatever customers or upstreams wrote
renders escaped."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from extensions import db
from models import ApiKey, AuditEntry, Channel, Coupon, LlmModel, ModelAlias, Package
from services.billing import accounts, ledger
from services.catalog.snapshot import load_catalog
from services.identity.keys import create_key
from tests.blueprints.admin.conftest import operator_client, post
from tests.support.untranslated import english_left

UPSTREAM_KEY = "sk-upstream-never-shown-0123456789"
EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def seeded(admin_app):
    with admin_app.app_context():
        account = accounts.create_account("evil", "evil@example.com")
        accounts.grant(account.id, 5_000, note="seed")
        key, _raw = create_key(account.id, EVIL)
        ledger.write_log({"request_id": "req_evil", "account_id": account.id, "key_id": key.id, "model": EVIL,
                          "door": "openai", "status": 502, "error_code": "upstream_error", "user_agent": EVIL, "client_ip": "127.0.0.1"})
        from services.catalog.channels import add_channel

        channel = add_channel("seeded", "openai", "http://127.0.0.1:9/v1", UPSTREAM_KEY, ["m-one", "m-two"],
                              {"m-two": "upstream-two"})
        return {"account_id": account.id, "key_id": key.id, "channel_id": channel.id}


@pytest.fixture(scope="module")
def stuck_task(admin_app):
    """An open task holding 300 credits, as a submit leaves it."""
    from dataclasses import asdict
    from models import Task
    from services.billing.pricing import Price
    with admin_app.app_context():
        account = accounts.create_account("tasks", "tasks@example.com")
        accounts.grant(account.id, 1_000, note="seed")
        key, _raw = create_key(account.id, "videos")
        assert ledger.reserve(account.id, key.id, 300, "req_task_stuck")
        db.session.add(Task(id="video_stuck0123", family="openai.videos", account_id=account.id, key_id=key.id,
                            model="sora-2", provider_task_id="video_up_1", request_id="req_task_stuck", hold=300,
                            price=asdict(Price(request=300)), status="in_progress", progress=40, polls=3,
                            upstream_status="in_progress"))
        db.session.commit()
        return {"account_id": account.id, "task_id": "video_stuck0123"}


@pytest.fixture
def op(admin_app, seeded, stuck_task):
    return operator_client(admin_app, "operator@example.com")


def audits(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                  .order_by(AuditEntry.id)).all()


def pages(seeded) -> list[str]:
    return ["/admin/", "/admin/channels", "/admin/channels/new", f"/admin/channels/{seeded['channel_id']}/edit",
            "/admin/models", "/admin/models/edit", "/admin/packages", "/admin/packages/edit",
            "/admin/packages/edit?code=topup_20", "/admin/coupons", "/admin/orders", "/admin/accounts",
            f"/admin/accounts/{seeded['account_id']}", "/admin/logs", "/admin/ledger", "/admin/audit",
            f"/admin/logs?key={seeded['key_id']}&status=error", "/admin/tasks", "/admin/tasks?status=queued"]


def test_every_page_renders_in_both_languages_and_never_shows_the_upstream_key(op, seeded):
    for path in pages(seeded):
        for lang in ("en", "zh"):
            sep = "&" if "?" in path else "?"
            response = op.get(f"{path}{sep}lang={lang}")
            html = response.get_data(as_text=True)
            assert response.status_code == 200, path
            assert UPSTREAM_KEY not in html and "sk-upstream" not in html, path
            assert ('lang="zh-CN"' in html) == (lang == "zh")
            if lang == "zh":
                assert english_left(html) == [], path
    assert "渠道" in op.get("/admin/channels?lang=zh").get_data(as_text=True)


def test_customer_and_upstream_text_is_escaped(op, seeded):
    for path in (f"/admin/accounts/{seeded['account_id']}", "/admin/logs", "/admin/accounts?email=evil"):
        html = op.get(path).get_data(as_text=True)
        assert EVIL not in html, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in op.get(f"/admin/accounts/{seeded['account_id']}").get_data(as_text=True)
    logs = op.get("/admin/logs").get_data(as_text=True)
    assert logs.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2  # the model name and the user agent


def test_the_channels_page_shows_state_breakers_and_the_map(op, seeded):
    html = op.get("/admin/channels").get_data(as_text=True)
    assert "seeded" in html and "http://127.0.0.1:9/v1" in html
    assert '<code>m-two</code> → <code>upstream-two</code>: <span class="breaker closed">closed</span>' in html
    assert ">Test</button>" in html and ">Disable</button>" in html


def test_adding_a_channel_checks_ssrf_and_keeps_the_key_write_only(op, admin_app):
    response = post(op, "/admin/channels/new", {"name": "meta", "provider": "openai",
                                                 "base_url": "http://169.254.169.254/v1", "api_key": "sk-x-123",
                                                 "models": "m"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="alert error"' in html and "169.254.169.254" in html and "sk-x-123" not in html
    response = post(op, "/admin/channels/new", {"name": "second", "provider": "openai",
                                                 "base_url": "http://127.0.0.1:9/v1", "api_key": UPSTREAM_KEY + "2",
                                                 "models": "a, b", "model_map": "b=bee\n", "priority": "3",
                                                 "weight": "0", "connect_timeout": "2.5"})
    assert response.status_code == 302
    with admin_app.app_context():
        channel = db.session.scalar(select(Channel).where(Channel.name == "second"))
        assert (channel.models, channel.model_map, channel.priority, channel.weight, channel.connect_timeout) == \
            (["a", "b"], {"b": "bee"}, 3, 0, 2.5)
        channel_id = channel.id
    edit = op.get(f"/admin/channels/{channel_id}/edit").get_data(as_text=True)
    assert UPSTREAM_KEY not in edit and 'name="api_key" value=""' in edit and "b=bee" in edit
    response = post(op, f"/admin/channels/{channel_id}/edit", {
        "name": "second", "provider": "openai", "base_url": "http://127.0.0.1:9/v1", "api_key": "",
        "models": "a, b, c", "model_map": "", "priority": "1", "weight": "2"})
    assert response.status_code == 302
    with admin_app.app_context():
        info = next(c for c in load_catalog().channels_for("c") if c.id == channel_id)
        assert info.api_key == UPSTREAM_KEY + "2"  # blank kept the key
        assert info.model_map == {} and (info.priority, info.weight) == (1, 2)
    post(op, f"/admin/channels/{channel_id}/edit", {
        "name": "second", "provider": "openai", "base_url": "http://127.0.0.1:9/v1", "api_key": "sk-new-key-456",
        "models": "a", "priority": "1", "weight": "2"})
    with admin_app.app_context():
        assert load_catalog().channels_for("a")[0].api_key == "sk-new-key-456"
    assert post(op, f"/admin/channels/{channel_id}/enabled", {"enabled": "0"}).status_code == 302
    with admin_app.app_context():
        assert db.session.get(Channel, channel_id).enabled is False
    assert [a.action for a in audits(admin_app, "channel.add")] == ["channel.add"]
    assert len(audits(admin_app, "channel.edit")) == 2 and len(audits(admin_app, "channel.disable")) == 1
    assert "sk-new-key" not in str([a.detail for a in audits(admin_app, "channel.edit")])


def test_a_channel_says_what_it_speaks_in_the_form_and_the_list(op, admin_app):
    form = op.get("/admin/channels/new").get_data(as_text=True)
    assert 'name="speaks"' in form and "openai.chat, openai.responses, openai.completions" in form
    fields = {"name": "speaker", "provider": "openai", "base_url": "http://127.0.0.1:9/v1", "models": "sp-model"}
    response = post(op, "/admin/channels/new", {**fields, "speaks": "openai.chat, openai.bogus"})
    assert response.status_code == 400 and "unknown dialect &#39;openai.bogus&#39;" in response.get_data(as_text=True)
    response = post(op, "/admin/channels/new?lang=zh", {**fields, "provider": "anthropic", "speaks": "openai.chat"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "类型为 anthropic 的渠道不能使用 openai.chat" in html
    op.get("/admin/?lang=en")  # back to English for the rest
    assert post(op, "/admin/channels/new", {**fields, "speaks": "openai.chat, openai.responses"}).status_code == 302
    with admin_app.app_context():
        channel = db.session.scalar(select(Channel).where(Channel.name == "speaker"))
        assert channel.speaks == "openai.chat,openai.responses"
        channel_id = channel.id
        assert load_catalog().channels_for("sp-model")[0].speaks == ("openai.chat", "openai.responses")
    assert audits(admin_app, "channel.add")[-1].detail["speaks"] == "openai.chat,openai.responses"
    edit = op.get(f"/admin/channels/{channel_id}/edit").get_data(as_text=True)
    assert 'value="openai.chat,openai.responses"' in edit
    listing = op.get("/admin/channels").get_data(as_text=True)
    assert "<code>openai.chat</code>, <code>openai.responses</code>" in listing
    assert "<code>openai.chat</code> (provider default)" in listing  # the seeded channel
    assert "(类型默认)" in op.get("/admin/channels?lang=zh").get_data(as_text=True)
    op.get("/admin/?lang=en")
    assert post(op, f"/admin/channels/{channel_id}/edit", {**fields, "speaks": ""}).status_code == 302
    with admin_app.app_context():
        assert db.session.get(Channel, channel_id).speaks is None
        assert load_catalog().channels_for("sp-model")[0].speaks == ("openai.chat",)
    assert post(op, f"/admin/channels/{channel_id}/edit", {**fields, "speaks": "openai.embeddings"}).status_code == 302
    with admin_app.app_context():
        assert load_catalog().channels_for("sp-model")[0].speaks == ("openai.embeddings",)
    assert 'value="openai.embeddings"' in op.get(f"/admin/channels/{channel_id}/edit").get_data(as_text=True)


def test_models_prices_and_aliases(op, admin_app):
    response = post(op, "/admin/models/edit", {"id": "new-model", "display_name": "New", "category": "chat",
                                                "input_price": "1,000,000", "output_price": "2000000",
                                                "cache_read_price": "500", "request_price": "3",
                                                "max_output_tokens": "4096", "context_window": "",
                                                "enabled": "1", "public": "1"})
    assert response.status_code == 302
    post(op, "/admin/models/edit?id=new-model", {"display_name": "New", "input_price": "7", "output_price": "8",
                                                  "cache_read_price": "", "request_price": "0", "enabled": "1"})
    with admin_app.app_context():
        row = db.session.get(LlmModel, "new-model")
        assert (row.input_price, row.output_price, row.cache_read_price, row.public, row.max_output_tokens) == \
            (7, 8, None, False, None)
    bad = post(op, "/admin/models/edit", {"id": "neg", "input_price": "-1"})
    assert bad.status_code == 400 and "at least 0" in bad.get_data(as_text=True)
    assert post(op, "/admin/models/aliases", {"pattern": "claude-*", "model_id": "new-model"}).status_code == 302
    assert "<code>claude-*</code>" in op.get("/admin/models").get_data(as_text=True)
    post(op, "/admin/models/aliases/remove", {"pattern": "claude-*"})
    with admin_app.app_context():
        assert db.session.scalar(select(ModelAlias)) is None
    assert [len(audits(admin_app, a)) for a in ("model.create", "model.edit", "alias.set", "alias.remove")] == \
        [1, 1, 1, 1]


def test_packages_and_coupons(op, admin_app):
    assert post(op, "/admin/packages/edit", {"code": "topup_7", "kind": "topup", "name": "Seven", "price_cents": "700",
                                             "base_credits": "350000000", "active": "1"}).status_code == 302
    post(op, "/admin/packages/edit?code=topup_7", {"kind": "topup", "name": "Seven!", "name_zh": "七",
                                                   "price_cents": "701", "base_credits": "1", "bonus_credits": "2",
                                                   "active": "1"})
    post(op, "/admin/packages/topup_7/active", {"active": "0"})
    with admin_app.app_context():
        p = db.session.scalar(select(Package).where(Package.code == "topup_7"))
        assert (p.name, p.name_zh, p.price_cents, p.credits, p.active) == ("Seven!", "七", 701, 3, False)
    assert post(op, "/admin/coupons", {"code": "spring", "kind": "percent", "value": "10", "packages": "topup_7",
                                       "valid_until": "2030-01-01T00:00", "max_uses": "5"}).status_code == 302
    bad = post(op, "/admin/coupons", {"code": "huge", "kind": "percent", "value": "150"})
    assert bad.status_code == 400 and "1-99" in bad.get_data(as_text=True)
    post(op, "/admin/coupons/SPRING/deactivate", {})
    with admin_app.app_context():
        c = db.session.scalar(select(Coupon).where(Coupon.code == "SPRING"))
        assert (c.value, c.package_codes, c.max_uses, c.active) == (10, ["topup_7"], 5, False)
    actions = {a.action for a in audits(admin_app, "package.create") + audits(admin_app, "package.edit")
               + audits(admin_app, "package.deactivate") + audits(admin_app, "coupon.create")
               + audits(admin_app, "coupon.deactivate")}
    assert len(actions) == 5


def test_suspend_an_account_and_disable_a_key(op, admin_app, seeded):
    with admin_app.app_context():
        account = accounts.create_account("s", "s@example.com")
        key, _ = create_key(account.id, "k")
        ids = account.id, key.id
    post(op, f"/admin/accounts/{ids[0]}/status", {"status": "suspended", "reason": "abuse"})
    post(op, f"/admin/keys/{ids[1]}/disable", {})
    html = op.get(f"/admin/accounts/{ids[0]}").get_data(as_text=True)
    assert "suspended" in html and "Unsuspend" in html
    with admin_app.app_context():
        assert db.session.get(ApiKey, ids[1]).status == "disabled"
    post(op, f"/admin/accounts/{ids[0]}/status", {"status": "active"})
    assert [a.reason for a in audits(admin_app, "account.suspend")] == ["abuse"]
    assert len(audits(admin_app, "account.unsuspend")) == 1 and len(audits(admin_app, "key.disable")) == 1
    audit_page = op.get("/admin/audit").get_data(as_text=True)
    assert "operator@example.com" in audit_page and "account.suspend" in audit_page


def test_adjust_refuses_a_missing_reason_and_a_negative_balance(op, admin_app, seeded):
    account_id = seeded["account_id"]
    post(op, f"/admin/accounts/{account_id}/adjust", {"credits": "100", "reason": ""})
    page = op.get(f"/admin/accounts/{account_id}").get_data(as_text=True)
    assert "Give a reason" in page
    post(op, f"/admin/accounts/{account_id}/adjust", {"credits": "-999999", "reason": "too much"})
    assert "cannot go below zero" in op.get(f"/admin/accounts/{account_id}").get_data(as_text=True)
    with admin_app.app_context():
        assert ledger.balance_of(account_id) == 5_000 and ledger.verify() == []


def test_logs_filter(op, seeded):
    assert "req_evil" in op.get(f"/admin/logs?account={seeded['account_id']}&status=error").get_data(as_text=True)
    assert "req_evil" not in op.get("/admin/logs?status=ok").get_data(as_text=True)
    assert "req_evil" not in op.get("/admin/logs?date=2000-01-01").get_data(as_text=True)
    assert "req_evil" not in op.get("/admin/logs?model=other").get_data(as_text=True)


def test_an_adjust_form_sent_twice_books_once(op, admin_app):
    with admin_app.app_context():
        account_id = accounts.create_account("twice").id
    page = op.get(f"/admin/accounts/{account_id}").get_data(as_text=True)
    operation_id = re.search(r'name="operation_id" value="([^"]+)"', page).group(1)
    form = {"credits": "700", "reason": "double click", "operation_id": operation_id}
    post(op, f"/admin/accounts/{account_id}/adjust", form)
    post(op, f"/admin/accounts/{account_id}/adjust", form)
    assert "already booked" in op.get(f"/admin/accounts/{account_id}").get_data(as_text=True)
    with admin_app.app_context():
        assert ledger.balance_of(account_id) == 700
        assert len([a for a in audits(admin_app, "account.adjust") if a.target == f"account:{account_id}"]) == 1


def test_logs_page_in_fifties(op, admin_app):
    with admin_app.app_context():
        account_id = accounts.create_account("busy").id
        for i in range(51):
            ledger.write_log({"request_id": f"req_page_{i:02d}", "account_id": account_id, "door": "openai",
                              "model": "m", "status": 200})
    first = op.get(f"/admin/logs?account={account_id}").get_data(as_text=True)
    assert first.count("req_page_") == 50 and "req_page_50" in first and "req_page_00" not in first
    assert f"/admin/logs?account={account_id}&amp;page=2" in first
    second = op.get(f"/admin/logs?account={account_id}&page=2").get_data(as_text=True)
    assert second.count("req_page_") == 1 and "req_page_00" in second


def test_the_ledger_check_names_an_account_that_is_off(op, admin_app):
    from sqlalchemy import update

    from models import Account

    with admin_app.app_context():
        account_id = accounts.create_account("off").id
        with db.engine.begin() as conn:  # a balance changed without its ledger entry
            conn.execute(update(Account).where(Account.id == account_id).values(balance=42))
    try:
        page = op.get("/admin/ledger").get_data(as_text=True)
        assert f"account {account_id}: balance 42 differs from the sum of its ledger entries 0" in page
        assert "The ledger check found accounts whose balance is off." in op.get("/admin/").get_data(as_text=True)
    finally:
        with admin_app.app_context(), db.engine.begin() as conn:
            conn.execute(update(Account).where(Account.id == account_id).values(balance=0))
    assert "Ledger ok" in op.get("/admin/ledger").get_data(as_text=True)


def test_failing_a_stuck_task_releases_its_hold_once_and_is_audited(op, admin_app, stuck_task):
    page = op.get("/admin/tasks?status=in_progress").get_data(as_text=True)
    assert stuck_task["task_id"] in page and "40%" in page
    post(op, f"/admin/tasks/{stuck_task['task_id']}/fail", {"reason": ""})
    assert "Say why" in op.get("/admin/tasks").get_data(as_text=True)
    post(op, f"/admin/tasks/{stuck_task['task_id']}/fail", {"reason": "upstream lost it"})
    post(op, f"/admin/tasks/{stuck_task['task_id']}/fail", {"reason": "twice"})
    assert "is not open" in op.get("/admin/tasks").get_data(as_text=True)
    with admin_app.app_context():
        assert ledger.balance_of(stuck_task["account_id"]) == 1_000 and ledger.verify() == []
    (entry,) = audits(admin_app, "task.fail")
    assert (entry.target, entry.reason) == (stuck_task["task_id"], "upstream lost it")
