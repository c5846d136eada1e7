"""services.identity.users: registration with its own account and trial credits,
claiming a guest purchase (and when not), and the neutral refusals."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from models import Account, LedgerEntry, Order, User
from services.billing import ledger
from services.identity import claims, key_admin, users
from services.store.orders import create
from services.store.orders.fulfil import fulfil


def paid_purchase(email: str) -> Order:
    order = create.create_purchase("plan_20", email)
    fulfil(order.order_no, via="dev")
    return db.session.scalar(select(Order).where(Order.order_no == order.order_no)
                             .execution_options(populate_existing=True))


def test_register_makes_an_account_with_trial_credits_once(app):
    user = claims.register(" New@Example.com ", "long enough", trial_credits=500)
    assert user.email == "new@example.com" and user.account_id is not None
    assert ledger.balance_of(user.account_id) == 500
    [entry] = db.session.scalars(select(LedgerEntry).where(LedgerEntry.account_id == user.account_id)).all()
    assert (entry.kind, entry.idempotency_key) == ("bonus", f"trial:{user.account_id}")
    # Booked at most once per account, whoever retries.
    from services.billing import accounts
    assert accounts.grant(user.account_id, 500, kind="bonus", idempotency_key=claims.trial_key(user.account_id)) \
        is False
    assert ledger.balance_of(user.account_id) == 500 and ledger.verify() == []


def test_register_without_trial_books_nothing(app):
    user = claims.register("plain@example.com", "long enough")
    assert ledger.balance_of(user.account_id) == 0
    assert db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.account_id == user.account_id)) is None


@pytest.mark.parametrize("email,password,code", [
    ("not-an-email", "long enough", "invalid_email"),
    ("a@example.com", "short", "weak_password"),
])
def test_register_refuses_bad_input(app, email, password, code):
    with pytest.raises(users.UserError) as err:
        claims.register(email, password)
    assert err.value.code == code


def test_a_taken_email_gets_the_neutral_refusal(app):
    claims.register("taken@example.com", "long enough")
    with pytest.raises(users.UserError) as err:
        claims.register("TAKEN@example.com", "other password")
    assert err.value.code == "register_refused" and "exists" not in str(err.value)


def test_register_with_an_order_takes_over_the_guest_account(app):
    order = paid_purchase("buyer@example.com")
    accounts_before = db.session.scalar(select(db.func.count(Account.id)))
    user = claims.register("Buyer@example.com", "long enough", order_no=order.order_no.lower(), trial_credits=99)
    assert user.account_id == order.account_id
    assert db.session.scalar(select(db.func.count(Account.id))) == accounts_before  # no fresh account
    assert ledger.balance_of(order.account_id) == order.credits  # and no trial on top
    assert [k.id for k in key_admin.list_keys(user.account_id)] == [order.key_id]


def test_a_wrong_pair_or_an_unpaid_order_refuses_registration_alike(app):
    order = paid_purchase("buyer@example.com")
    unpaid = create.create_purchase("plan_20", "buyer@example.com")
    for email, number in (("buyer@example.com", "BUY000000000000XXXXXX"), ("other@example.com", order.order_no),
                          ("buyer@example.com", unpaid.order_no)):
        with pytest.raises(users.UserError) as err:
            claims.register(email, "long enough", order_no=number)
        assert err.value.code == "claim_failed"
        assert users.find_by_email(email) is None


def test_claim_moves_an_empty_account_once(app):
    order = paid_purchase("gift@example.com")
    user = claims.register("gift@example.com", "long enough", trial_credits=10)
    assert claims.account_is_empty(user.account_id)  # the trial does not count
    assert claims.claim_guest_purchase(user.id, order.order_no) == order.account_id
    assert db.session.get(User, user.id).account_id == order.account_id
    # Only the user with the order's contact email can claim it.
    other = claims.register("you@example.com", "long enough")
    with pytest.raises(users.UserError) as err:
        claims.claim_guest_purchase(other.id, order.order_no)
    assert err.value.code == "claim_failed"


def test_claim_refuses_an_account_in_use_before_looking_at_the_order(app):
    user = claims.register("busy@example.com", "long enough")
    key_admin.create(user.account_id, "mine")
    assert not claims.account_is_empty(user.account_id)
    with pytest.raises(users.UserError) as err:
        claims.claim_guest_purchase(user.id, "BUY-DOES-NOT-EXIST")
    assert err.value.code == "account_not_empty"


def test_ensure_account_gives_an_operator_without_one_an_account(app):
    user = users.create_user("op@example.com", "long enough", is_admin=True)
    assert user.account_id is None and claims.account_is_empty(None)
    account_id = claims.ensure_account(user.id)
    assert account_id and claims.ensure_account(user.id) == account_id


def test_parallel_claims_by_one_user_move_the_account_once(app):
    """A buyer double-clicking in several tabs: every claim answers the
    account, the user is moved once and one notice is mailed."""
    import threading

    from models import Outbox

    order = paid_purchase("race@example.com")
    order_no, account_id = order.order_no, order.account_id  # plain values for the threads
    user_id = claims.register("race@example.com", "long enough").id
    barrier, results = threading.Barrier(4), []

    def claim() -> None:
        with app.app_context():
            barrier.wait()
            try:
                results.append(claims.claim_guest_purchase(user_id, order_no))
            except users.UserError as exc:
                results.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [account_id] * 4
    owners = db.session.scalars(select(User.id).where(User.account_id == account_id)).all()
    assert owners == [user_id]
    notices = db.session.scalars(select(Outbox).where(Outbox.ref == order_no,
                                                      Outbox.subject.like("%added to your account"))).all()
    assert len(notices) == 1


@pytest.mark.parametrize("password", ["password123", "12345678", "Administrator", "aaaaaaaaaa", "abababab"])
def test_common_or_monotonous_passwords_are_refused(app, password):
    with pytest.raises(users.UserError) as err:
        claims.register("guessable@example.com", password)
    assert err.value.code == "weak_password" and users.find_by_email("guessable@example.com") is None
