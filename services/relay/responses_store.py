"""The Responses API's store: a response the client asked to keep (`store`,
true unless it says false) is kept RESPONSES_TTL_DAYS with the whole input
that led to it, so `previous_response_id` works on every channel, converted
ones too, and GET/DELETE /v1/responses/{id} find it. Each response is
visible only to keys of the account that made it."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from extensions import db
from models.base import utcnow
from models.stored_response import StoredResponse


class UnknownResponse(LookupError):
    """No such response for this account (or it expired)."""


def _find(account_id: int, response_id: str) -> StoredResponse:
    if not isinstance(response_id, str) or not response_id or len(response_id) > 80:
        raise UnknownResponse(response_id)
    row = db.session.scalar(select(StoredResponse).where(StoredResponse.id == response_id,
                                                         StoredResponse.account_id == account_id,
                                                         StoredResponse.expires_at > utcnow()))
    if row is None:
        raise UnknownResponse(response_id)
    return row


def conversation(account_id: int, response_id: str) -> list:
    """The input and output items of a stored response, in order: what a
    follow-up naming it continues from."""
    row = _find(account_id, response_id)
    output = row.response.get("output") if isinstance(row.response, dict) else None
    return list(row.input_items or []) + [item for item in (output or []) if isinstance(item, dict)]


def get(account_id: int, response_id: str) -> dict:
    return _find(account_id, response_id).response


def remove(account_id: int, response_id: str) -> None:
    row = _find(account_id, response_id)
    db.session.delete(row)
    db.session.commit()


def save(account_id: int, key_id: int, input_items: list, response: dict) -> None:
    """Keep a finished response (one that has an id); a second save of the
    same id is ignored."""
    response_id = response.get("id") if isinstance(response, dict) else None
    if not isinstance(response_id, str) or not response_id or len(response_id) > 80:
        return
    now = utcnow()
    if db.session.get(StoredResponse, response_id) is not None:
        return
    db.session.add(StoredResponse(id=response_id, account_id=account_id, key_id=key_id,
                                  model=str(response.get("model") or "")[:128], input_items=input_items,
                                  response=response, created_at=now,
                                  expires_at=now + timedelta(days=current_app.config["RESPONSES_TTL_DAYS"])))
    db.session.commit()


def purge() -> int:
    """Drop expired responses; returns how many."""
    result = db.session.execute(delete(StoredResponse).where(StoredResponse.expires_at <= utcnow()))
    db.session.commit()
    return result.rowcount or 0


def input_items(body: dict) -> list:
    """A request's `input` as a list of items."""
    items = body.get("input")
    if isinstance(items, str):
        return [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": items}]}]
    return [item if isinstance(item, dict) else {"type": "message", "role": "user",
                                                 "content": [{"type": "input_text", "text": str(item)}]}
            for item in items or []]


def continue_from(account_id: int, body: dict) -> tuple[dict, list]:
    """A request as the relay sends it: the earlier turns of the response it
    names (`previous_response_id`) put before its own input. Returns (body,
    the whole input, to keep with the answer). UnknownResponse when the
    named response is not this account's or was not kept."""
    items = input_items(body)
    previous = body.get("previous_response_id")
    if not previous:
        return body, items
    items = conversation(account_id, previous) + items
    body = {k: v for k, v in body.items() if k != "previous_response_id"}
    body["input"] = items
    return body, items
