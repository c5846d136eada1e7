"""services.identity.key_admin and services.reports.usage: caps parsing, scoping to the
owning account, soft delete, and usage read from the request log."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from extensions import db
from models import RequestLog
from models.base import utcnow
from services.billing import accounts
from services.catalog.models import set_model
from services.identity import key_admin, keys
from services.identity.key_admin import KeyError_
from services.reports import usage


def test_parse_caps(app):
    set_model("m-one", max_output_tokens=10)
    caps = key_admin.parse_caps(spend_cap="1,000", expires_at="2030-05-01", allowed_models="m-one, m-one",
                                   rpm="12")
    assert caps == key_admin.Caps(1000, datetime(2030, 5, 2), ["m-one"], 12)
    assert key_admin.parse_caps() == key_admin.Caps()
    assert key_admin.parse_caps(expires_at="2030-05-01T08:00:00+08:00").expires_at == datetime(2030, 5, 1)
    for kw in ({"spend_cap": "-1"}, {"spend_cap": 2.5}, {"spend_cap": True}, {"rpm": "0"}, {"expires_at": "May"},
               {"allowed_models": "nope"}, {"allowed_models": 7}):
        with pytest.raises(KeyError_):
            key_admin.parse_caps(**kw)


def test_keys_are_scoped_to_their_account_and_deleted_ones_hidden(app):
    mine, theirs = accounts.create_account("a").id, accounts.create_account("b").id
    key, raw = key_admin.create(mine, "  k1  ")
    assert key.name == "k1" and keys.authenticate(raw) is not None
    assert key_admin.get_key(theirs, key.id) is None
    assert key_admin.rename(theirs, key.id, "x") is None and key_admin.disable(theirs, key.id) is None
    assert key_admin.delete(theirs, key.id) is False
    assert key_admin.get_key(mine, "nonsense") is None

    assert key_admin.shown_status(key_admin.disable(mine, key.id)) == "REVOKED"
    assert keys.authenticate(raw) is None
    assert key_admin.delete(mine, key.id) is True
    assert key_admin.list_keys(mine) == [] and key_admin.get_key(mine, key.id) is None
    assert db.session.get(type(key), key.id).status == "deleted"
    with pytest.raises(KeyError_):
        key_admin.create(mine, "   ")


def test_caps_change_reaches_authentication_at_once(app):
    account = accounts.create_account("a").id
    key, raw = key_admin.create(account, "k")
    assert keys.authenticate(raw).rpm is None
    key_admin.set_caps(account, key.id, key_admin.Caps(rpm=7, expires_at=utcnow() - timedelta(seconds=1)))
    assert keys.authenticate(raw) is None  # expired
    key_admin.set_caps(account, key.id, key_admin.Caps(rpm=7))
    assert keys.authenticate(raw).rpm == 7


def _log(account_id: int, key_id: int, model: str, credits: int, status: int, when: datetime) -> None:
    db.session.add(RequestLog(request_id=f"req_{model}_{credits}_{status}_{when.timestamp()}", account_id=account_id,
                              key_id=key_id, model=model, status=status, credits=credits, created_at=when))
    db.session.commit()


def test_usage_is_per_account_per_day_and_per_model(app):
    account, other = accounts.create_account("a").id, accounts.create_account("b").id
    key, _ = key_admin.create(account, "k")
    now = utcnow()
    _log(account, key.id, "m1", 100, 200, now)
    _log(account, key.id, "m2", 50, 200, now - timedelta(days=1))
    _log(account, key.id, "m1", 0, 502, now)
    _log(account, key.id, "m1", 999, 200, now - timedelta(days=40))  # outside the window
    _log(other, 0, "m1", 7, 200, now)

    daily = usage.daily(account)
    assert len(daily.days) == 30 and daily.days[-1][0] == now.date()
    assert daily.days[-1][1:] == (100, 2) and daily.days[-2][1:] == (50, 1) and daily.total == 150
    assert daily.models == [("m1", 100, 2), ("m2", 50, 1)]
    assert usage.overview(account).spent_7d == 150 and usage.overview(account).keys == 1

    assert usage.request_log(account, usage.LogFilter()).total == 4
    assert usage.request_log(account, usage.LogFilter(status="error")).total == 1
    assert usage.request_log(account, usage.LogFilter(model="m2", status="ok")).total == 1
    assert usage.request_log(account, usage.LogFilter(date_from=now.date())).total == 2
    assert usage.request_log(account, usage.LogFilter(key_id=key.id + 1000)).total == 0
    assert usage.request_log(other, usage.LogFilter()).total == 1


def test_request_log_pages(app):
    account = accounts.create_account("a").id
    now = utcnow()
    db.session.add_all([RequestLog(request_id=f"req_page_{i}", account_id=account, key_id=1, model="m", status=200,
                                   credits=i, created_at=now - timedelta(seconds=i)) for i in range(55)])
    db.session.commit()
    first = usage.request_log(account, usage.LogFilter())
    assert (first.total, first.pages, len(first.rows), first.rows[0].credits) == (55, 2, 50, 0)
    second = usage.request_log(account, usage.LogFilter(page=2))
    assert [r.credits for r in second.rows] == [50, 51, 52, 53, 54]
    assert usage.request_log(account, usage.LogFilter(page=99)).page == 2  # clamped
