"""The order rules in process, on SQLite and PostgreSQL: coupons, the
all-or-nothing fulfilment, closing, reconciliation against the fake gateway."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from extensions import db
from models import Coupon, LedgerEntry, Order
from models.base import utcnow
from services.billing import accounts, ledger
from services.identity.keys import create_key
from services.store import coupons
from services.store.orders import create, fulfil as fulfil_module, payment
from services.store.orders.errors import StoreError
from services.store.orders.reconcile import CLOSE_GRACE, reconcile


@pytest.fixture
def raw_key(app):
    account = accounts.create_account("buyer")
    _row, raw = create_key(account.id, "k")
    return raw


def entries(order_no):
    return db.session.scalars(select(LedgerEntry).where(LedgerEntry.ref == order_no)).all()


def test_percent_and_fixed_coupons_are_priced_on_the_server(app, raw_key):
    coupons.create_coupon("SPRING10", "percent", 10)
    coupons.create_coupon("FIVE", "fixed", 500, packages=["topup_100"])
    order = create.create_topup(raw_key, "topup_100", "a@example.com", coupon_code=" spring10 ")
    assert (order.price_cents, order.discount_cents, order.amount_cents) == (10000, 1000, 9000)
    assert order.credits == 6_000_000_000  # a coupon lowers the price, never the credits
    assert create.create_topup(raw_key, "topup_100", "a@example.com", coupon_code="FIVE").amount_cents == 9500
    with pytest.raises(StoreError) as err:
        create.create_topup(raw_key, "topup_20", "a@example.com", coupon_code="FIVE")
    assert err.value.reason == "coupon_not_applicable"


@pytest.mark.parametrize("kind, value", [("fixed", 2000), ("fixed", 5000)])
def test_a_total_never_reaches_zero(app, raw_key, kind, value):
    coupons.create_coupon("BIG", kind, value)
    with pytest.raises(StoreError) as err:
        create.create_topup(raw_key, "topup_20", "a@example.com", coupon_code="BIG")
    assert err.value.reason == "coupon_not_applicable"
    with pytest.raises(ValueError):
        coupons.create_coupon("ALL", "percent", 100)
    assert db.session.scalar(select(Order.id)) is None


def test_validity_window(app, raw_key):
    now = utcnow()
    coupons.create_coupon("LATER", "percent", 5, valid_from=now + timedelta(days=1))
    coupons.create_coupon("OVER", "percent", 5, valid_until=now - timedelta(seconds=1))
    for code in ("LATER", "OVER"):
        with pytest.raises(StoreError) as err:
            create.create_topup(raw_key, "topup_20", "a@example.com", coupon_code=code)
        assert err.value.reason == "coupon_expired"
    with pytest.raises(StoreError) as err:
        create.create_topup(raw_key, "topup_20", "a@example.com", coupon_code="NOPE")
    assert err.value.reason == "coupon_invalid"


def test_the_race_for_the_last_use_has_one_winner(app, raw_key):
    coupons.create_coupon("LAST", "percent", 50, max_uses=1)

    def attempt(_):
        with app.app_context():
            try:
                return create.create_topup(raw_key, "topup_20", "race@example.com", coupon_code="LAST").order_no
            except StoreError as exc:
                return exc.reason
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(attempt, range(24)))
    winners = [r for r in results if r.startswith("TOP")]
    assert len(winners) == 1 and set(results) - set(winners) == {"coupon_used_up"}
    db.session.expire_all()
    assert db.session.scalar(select(Coupon.used).where(Coupon.code == "LAST")) == 1
    # Closing the unpaid order gives the use back; the next buyer gets it.
    assert payment.close(winners[0], "test") == "closed"
    assert create.create_topup(raw_key, "topup_20", "b@example.com", coupon_code="LAST").amount_cents == 1000


def test_a_failure_inside_fulfilment_leaves_nothing_behind(app, monkeypatch):
    order = create.create_purchase("plan_100", "crash@example.com")
    real_post = ledger.post

    def post_then_fail(account_id, amount, kind, key, **kw):
        real_post(account_id, amount, kind, key, **kw)
        if kind == "bonus":
            raise RuntimeError("worker died between the credit and the commit")

    monkeypatch.setattr(ledger, "post", post_then_fail)
    with pytest.raises(RuntimeError):
        fulfil_module.fulfil(order.order_no, via="notify")
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "pending"
    assert entries(order.order_no) == [] and ledger.verify() == []
    monkeypatch.setattr(ledger, "post", real_post)
    assert fulfil_module.fulfil(order.order_no, via="notify").fulfilled_now is True
    assert fulfil_module.fulfil(order.order_no, via="query").fulfilled_now is False
    assert sorted(e.amount for e in entries(order.order_no)) == [1_000_000_000, 5_000_000_000]
    assert ledger.verify() == []


def test_dev_payment_delivers_once(app):
    order = create.create_purchase("plan_20", "dev@example.com")
    assert order.provider == "dev"
    assert payment.dev_pay(order).fulfilled_now is True
    assert payment.dev_pay(order).fulfilled_now is False
    assert sum(e.amount for e in entries(order.order_no)) == 1_000_000_000


@pytest.fixture
def alipay_app(app):
    from tests.fakes.fake_alipay import FakeAlipay

    fake = FakeAlipay().start()
    app.config.update(fake.settings("http://127.0.0.1:9/pay/alipay/notify"), PAYMENT_PROVIDER="alipay",
                      PAYMENT_QUERY_INTERVAL=0)
    app.extensions.pop(payment._PROVIDERS, None)
    yield app, fake
    fake.stop()


def test_reconcile_credits_missed_payments_and_closes_expired_orders(alipay_app):
    app, fake = alipay_app
    paid = payment.start(create.create_purchase("plan_40", "late@example.com"))
    fake.trades[paid.order_no]["notify_url"] = ""
    fake.pay(paid.order_no)  # paid, the notify lost
    unpaid = payment.start(create.create_purchase("plan_20", "gone@example.com"))
    fake.scan(unpaid.order_no)
    never = create.create_purchase("plan_20", "never@example.com")  # no QR was ever made
    fresh = payment.start(create.create_purchase("plan_20", "fresh@example.com"))
    past = utcnow() - timedelta(hours=1)
    db.session.execute(update(Order).where(Order.id.in_([paid.id, unpaid.id, never.id]))
                       .values(created_at=past, expires_at=past + timedelta(minutes=15)))
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["orders", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "checked 3, paid 1, closed 2" in result.output
    db.session.expire_all()
    status = {o.order_no: o.status for o in db.session.scalars(select(Order))}
    assert (status[paid.order_no], status[unpaid.order_no], status[never.order_no], status[fresh.order_no]) == \
        ("paid", "closed", "closed", "pending")
    assert fake.trades[unpaid.order_no]["status"] == "TRADE_CLOSED"  # closed at Alipay first
    assert sum(e.amount for e in entries(paid.order_no)) == 2_000_000_000
    assert ledger.verify() == []


def test_an_expired_order_paid_at_the_last_second_is_credited_not_closed(alipay_app):
    app, fake = alipay_app
    order = payment.start(create.create_purchase("plan_20", "last@example.com"))
    fake.trades[order.order_no]["notify_url"] = ""
    expired = utcnow() - CLOSE_GRACE - timedelta(minutes=1)
    db.session.execute(update(Order).where(Order.id == order.id).values(expires_at=expired))
    db.session.commit()
    real_query = payment.provider("alipay").query
    calls = []

    def query_then_pay(order_no):  # the buyer pays between our query and our close
        status = real_query(order_no)
        if not calls:
            fake.pay(order_no)
        calls.append(order_no)
        return status

    payment.provider("alipay").query = query_then_pay
    assert reconcile(0)["paid"] == 1
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "paid"


def expire(order, ago: timedelta) -> None:
    db.session.execute(update(Order).where(Order.id == order.id)
                       .values(created_at=utcnow() - timedelta(hours=1), expires_at=utcnow() - ago))
    db.session.commit()


def test_the_qr_expires_with_the_order(alipay_app):
    app, fake = alipay_app
    app.config["ORDER_TTL_SECONDS"] = 4 * 60
    order = payment.start(create.create_purchase("plan_20", "short@example.com"))
    assert fake.trades[order.order_no]["timeout_express"] == "3m"  # 3m59s left: never outlives the order
    late = create.create_purchase("plan_20", "late-qr@example.com")
    db.session.execute(update(Order).where(Order.id == late.id).values(expires_at=utcnow() + timedelta(seconds=20)))
    db.session.commit()
    payment.start(late)
    assert fake.trades[late.order_no]["timeout_express"] == "1m"  # Alipay's shortest


def test_an_expired_order_gets_no_qr(alipay_app):
    _app, fake = alipay_app
    order = create.create_purchase("plan_20", "too-late@example.com")
    expire(order, timedelta(seconds=1))
    with pytest.raises(StoreError) as caught:
        payment.start(order)
    assert caught.value.reason == "order_expired" and order.order_no not in fake.trades


def test_within_the_grace_an_expired_order_stays_payable(alipay_app):
    app, fake = alipay_app
    order = payment.start(create.create_purchase("plan_20", "grace@example.com"))
    fake.trades[order.order_no]["notify_url"] = ""
    expire(order, CLOSE_GRACE - timedelta(seconds=30))  # its QR may still be scanned
    assert reconcile(0) == {"checked": 1, "paid": 0, "closed": 0, "failed": 0}
    fake.pay(order.order_no)
    result = payment.handle_notify("alipay", fake.build_notify(order.order_no))
    assert (result.ack, result.reason) == (True, "paid")
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "paid"


def test_a_failed_close_at_alipay_is_retried_by_the_next_reconcile(alipay_app, caplog):
    _app, fake = alipay_app
    order = payment.start(create.create_purchase("plan_20", "retry@example.com"))
    fake.scan(order.order_no)
    expire(order, CLOSE_GRACE + timedelta(minutes=1))
    fake.force_response(500, "busy")  # the query
    fake.force_response(500, "busy")  # the close
    assert reconcile(0) == {"checked": 1, "paid": 0, "closed": 0, "failed": 1}
    assert "close failed, left pending for the next reconcile" in caplog.text
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "pending"
    assert fake.trades[order.order_no]["status"] == "WAIT_BUYER_PAY"
    assert reconcile(0)["closed"] == 1
    assert [r["method"] for r in fake.requests][-2:] == ["alipay.trade.query", "alipay.trade.close"]
    assert fake.trades[order.order_no]["status"] == "TRADE_CLOSED"
