"""Admin answers to hostile or absurd input (never a 500), the audit log's
pager, disabling only active keys, no-store on every admin answer, and the
admin's own wording in Chinese (order timestamps, service refusals)."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from extensions import db
from models import ApiKey, AuditEntry, Order
from services import audit
from services.billing import accounts
from services.identity.key_admin import delete as delete_key
from services.identity.keys import create_key
from services.store.orders import create
from tests.blueprints.admin.conftest import operator_client, post

HUGE = "9" * 30


@pytest.fixture(scope="module")
def ids(admin_app):
    with admin_app.app_context():
        account = accounts.create_account("hard", "hard@example.com")
        key, raw = create_key(account.id, "k")
        order_no = create.create_topup(raw, "topup_100", "hard@example.com").order_no
        return {"account": account.id, "key": key.id, "order": order_no}


@pytest.fixture
def op(admin_app):
    return operator_client(admin_app, "hard-op@example.com")


def flashed(client, response) -> str:
    """The page a POST redirected to, with its flash."""
    assert response.status_code == 302
    return unescape(client.get(response.headers["Location"]).get_data(as_text=True))


def test_the_audit_log_pages_back_to_the_oldest_entry(op, admin_app):
    with admin_app.app_context():
        for i in range(51):
            audit.record(None, "pager.test", f"row:{i:02d}")
    first = op.get("/admin/audit?action=pager.test").get_data(as_text=True)
    assert first.count("row:") == 50 and "row:50" in first and "row:00" not in first
    older = re.search(r'<a href="([^"]+)">Older</a>', first)
    assert older, "no Older link on a full first page"
    second = op.get(unescape(older.group(1))).get_data(as_text=True)
    assert second.count("row:") == 1 and "row:00" in second
    assert ">Newer</a>" in second and ">Older</a>" not in second


BAD_GETS = [
    (f"/admin/audit?page={HUGE}", 200), (f"/admin/orders?page={'9' * 25}", 200),
    (f"/admin/accounts?page={HUGE}", 200), (f"/admin/logs?page={HUGE}", 200),
    ("/admin/orders?page=²", 200), ("/admin/audit?page=²", 200), ("/admin/logs?page=-3", 200),
    ("/admin/logs?date=9999-12-31", 200), ("/admin/logs?date=0001-01-01", 200),
    (f"/admin/logs?key={HUGE}", 400), (f"/admin/logs?account={HUGE}", 400), ("/admin/logs?key=²", 200),
    ("/admin/logs?status=²", 200), (f"/admin/logs?status={HUGE}", 200),
    (f"/admin/accounts/{HUGE}", 404), ("/admin/accounts/2147483648", 404), ("/admin/accounts/0", 404),
    (f"/admin/channels/{HUGE}/edit", 404),
]


@pytest.mark.parametrize("path,status", BAD_GETS)
def test_absurd_query_and_path_values_are_not_a_server_error(op, path, status):
    assert op.get(path).status_code == status


def test_a_far_page_of_an_account_renders(op, ids):
    assert op.get(f"/admin/accounts/{ids['account']}?page={HUGE}").status_code == 200


BAD_POSTS = [  # (path, form, status, text on the answer or the page it redirects to)
    ("/admin/accounts/{account}/adjust", {"credits": HUGE, "reason": "r"}, 302,
     "Credits: at most 1,000,000,000,000,000"),
    ("/admin/accounts/{account}/adjust", {"credits": "-" + HUGE, "reason": "r"}, 302,
     "Credits: at least -1,000,000,000,000,000"),
    ("/admin/accounts/{account}/adjust", {"credits": "²", "reason": "r"}, 302, "Credits: a whole number, please"),
    (f"/admin/accounts/{HUGE}/adjust", {"credits": "1", "reason": "r"}, 404, ""),
    (f"/admin/accounts/{HUGE}/status", {"status": "suspended"}, 404, ""),
    (f"/admin/keys/{HUGE}/disable", {}, 404, ""),
    (f"/admin/channels/{HUGE}/enabled", {"enabled": "1"}, 404, ""),
    (f"/admin/channels/{HUGE}/test", {}, 404, ""),
    ("/admin/models/edit", {"id": "huge", "input_price": HUGE}, 400, "Input price: at most"),
    ("/admin/models/edit", {"id": "huge", "context_window": "3000000000"}, 400,
     "Context window: at most 2,147,483,647"),
    ("/admin/packages/edit", {"code": "huge", "kind": "topup", "name": "H", "price_cents": HUGE, "base_credits": "1"},
     400, "Price (cents): at most"),
    ("/admin/packages/edit", {"code": "huge", "kind": "topup", "name": "H", "price_cents": "1", "base_credits": HUGE},
     400, "Base credits: at most"),
    ("/admin/coupons", {"code": "huge", "kind": "fixed", "value": HUGE}, 400, "Value: at most"),
    ("/admin/coupons", {"code": "huge2", "kind": "fixed", "value": "1", "max_uses": HUGE}, 400, "Max uses: at most"),
    ("/admin/coupons", {"code": "farfuture", "kind": "fixed", "value": "1", "valid_from": "9999-12-31T23:59",
                        "valid_until": "9999-12-31T23:59"}, 302, "Coupon FARFUTURE created."),
    ("/admin/coupons", {"code": "huge3", "kind": "fixed", "value": "1", "valid_until": "99999-01-01T00:00"},
     400, "Valid until: a date and time"),
    ("/admin/channels/new", {"name": "huge", "provider": "openai", "base_url": "http://127.0.0.1:9/v1",
                             "models": "m", "weight": HUGE}, 400, "Weight: at most"),
    ("/admin/channels/new", {"name": "huge", "provider": "openai", "base_url": "http://127.0.0.1:9/v1",
                             "models": "m", "connect_timeout": "nan"}, 400, "Connect timeout: a number of seconds"),
    ("/admin/channels/new", {"name": "huge", "provider": "openai", "base_url": "http://127.0.0.1:9/v1",
                             "models": "m", "idle_timeout": "1e999"}, 400, "Idle timeout: a number of seconds"),
]


@pytest.mark.parametrize("path,form,status,text", BAD_POSTS)
def test_absurd_form_values_are_a_form_error_not_a_server_error(op, ids, path, form, status, text):
    response = post(op, path.format(**ids), form)
    assert response.status_code == status
    page = flashed(op, response) if status == 302 else unescape(response.get_data(as_text=True))
    assert text in page


def test_disabling_a_key_the_customer_deleted_leaves_it_deleted(op, admin_app, ids):
    with admin_app.app_context():
        key, _ = create_key(ids["account"], "gone")
        key_id = key.id
        assert delete_key(ids["account"], key_id)
    page = flashed(op, post(op, f"/admin/keys/{key_id}/disable", {}))
    assert f"Key {key_id} is not active; nothing to do." in page
    zh = flashed(op, post(op, f"/admin/keys/{key_id}/disable?lang=zh", {}))
    assert f"Key {key_id} 不是启用状态;无需操作。" in zh
    with admin_app.app_context():
        assert db.session.get(ApiKey, key_id).status == "deleted"
        assert not db.session.scalars(select(AuditEntry).where(AuditEntry.target == f"key:{key_id}")).all()


def test_every_admin_answer_says_no_store(op, ids, admin_app):
    for path in ("/admin/", "/admin/accounts", f"/admin/accounts/{ids['account']}", f"/admin/orders/{ids['order']}",
                 "/admin/audit", "/admin/accounts/2147483647"):  # the last one a 404
        assert op.get(path).headers["Cache-Control"] == "no-store", path
    assert post(op, f"/admin/accounts/{ids['account']}/status", {"status": "active"}).headers["Cache-Control"] == \
        "no-store"
    anonymous = admin_app.test_client().get("/admin/accounts")
    assert anonymous.status_code == 302 and anonymous.headers["Cache-Control"] == "no-store"


def test_the_order_page_names_its_timestamps_not_the_statuses(op, ids):
    zh = op.get(f"/admin/orders/{ids['order']}?lang=zh").get_data(as_text=True)
    for label in ("支付时间", "关闭时间", "退款时间", "发放状态"):
        assert f"<dt>{label}</dt>" in zh
    assert "<dt>已支付</dt>" not in zh and "<dt>已关闭</dt>" not in zh
    en = op.get(f"/admin/orders/{ids['order']}?lang=en").get_data(as_text=True)
    assert "<dt>Paid at</dt>" in en and "<dt>Delivery state</dt>" in en


def test_service_refusals_are_flashed_in_the_operators_language(op, admin_app, ids):
    account, order_no = ids["account"], ids["order"]
    page = flashed(op, post(op, f"/admin/accounts/{account}/adjust?lang=zh", {"credits": "5", "reason": ""}))
    assert "请填写原因;它会记录在账本流水和审计日志中。" in page
    page = flashed(op, post(op, f"/admin/accounts/{account}/adjust?lang=zh", {"credits": "0", "reason": "r"}))
    assert "调整的积分数不能为零。" in page
    page = flashed(op, post(op, f"/admin/accounts/{account}/adjust?lang=zh", {"credits": "x", "reason": "r"}))
    assert "积分:请填写整数" in page
    page = flashed(op, post(op, f"/admin/orders/{order_no}/refund?lang=zh", {"reason": "r"}))
    assert f"订单 {order_no} 的状态为 pending;只有已支付的订单才能退款。" in page
    page = flashed(op, post(op, f"/admin/orders/{order_no}/mark-paid?lang=zh", {"reason": ""}))
    assert "请填写原因;它会记录在订单和审计日志中。" in page
    with admin_app.app_context():
        assert db.session.scalar(select(Order.status).where(Order.order_no == order_no)) == "pending"
    # English stays the service's own text.
    page = flashed(op, post(op, f"/admin/orders/{order_no}/refund?lang=en", {"reason": "r"}))
    assert f"Order {order_no} is pending; only a paid order can be refunded." in page
