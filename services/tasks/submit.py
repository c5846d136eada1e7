"""Submitting a task: the relay's usual preparation (key limits, route,
hold of the worst case), the submit sent with failover, then the task
recorded with its hold still open. A submit every channel refuses releases
the hold at once; a retry on another channel reuses the same hold."""
from __future__ import annotations

from services.relay import limits, routing
from services.relay.call import ClientInfo, prepare
from services.relay.errors import RelayError
from services.relay.run import _attempt, _send, settle
from services.tasks import store
from services.tasks.family import Family, Refused


def submit(key, family: Family, body, headers: dict, *, request_id: str, client: ClientInfo,
           task_id: str | None = None, params: dict | None = None):
    """The new task, or the upstream's answer when it refused the submit
    without taking it (a Refused: nothing charged). RelayError for a
    refusal of ours or a failure of every channel (the hold released)."""
    call = prepare(key, body, headers, family.door, request_id=request_id, client=client)
    try:
        accepted = _attempt(call, lambda: family.accept(_send(call, stream=False), call))
    except Refused as refused:
        call.status = refused.status
        call.error_code = "task_refused"
        settle(call, None)
        return refused
    except RelayError:
        settle(call, None)
        raise
    except BaseException:
        call.status, call.error_code = 500, "internal_error"
        settle(call, None)
        raise
    routing.succeeded(call.route)
    limits.release_slot(call.key, call.slot_held)
    call.slot_held = False
    kept = {**family.params(call.ask), **(params or {}), "client_model": call.client_model}
    return store.record(family, call, accepted, task_id or store.new_id(family.id_prefix), kept)
