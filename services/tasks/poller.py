"""Moving tasks forward: claim the due ones under a lease, fetch each from
its channel, and finish those that ended (settled on what the upstream
finally reports, or released). Tasks past TASK_TIMEOUT_MINUTES are
released. Runs in-process (one greenlet per worker, TASK_POLL_SECONDS) or
as `flask tasks work`; any number of them can run side by side."""
from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import replace

from flask import Flask, current_app

from models.task import FAILED, SUCCEEDED
from services.relay.adapters import adapter_for
from services.relay.adapters.base import UpstreamError
from services.relay.sanitize import sanitize
from services.tasks import store
from services.tasks.store import channel_of
from services.tasks.families import FAMILIES

log = logging.getLogger("tollgate.tasks")
BATCH = 20
POLL_TIMEOUT = 15.0  # seconds: a status read; a poll past its lease is only done twice, never settled twice


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def fetch(task):
    """The upstream's current answer about `task` (UpstreamError on failure)."""
    family = FAMILIES[task.family]
    channel = channel_of(task)
    if channel is None:
        raise LookupError("the channel that took the task is gone or disabled")
    request = family.fetch(task)
    return channel, adapter_for(channel.provider).fetch(channel, request, poll_timeouts(channel))


def poll_timeouts(channel):
    """The channel's timeouts, with the wait for an answer bounded well
    inside a lease: a poll is a small status read, and a poller stuck on
    one must not outlive its claim on the others."""
    return replace(channel.timeouts, first_byte=min(channel.timeouts.first_byte, POLL_TIMEOUT))


def prefetch(tasks) -> dict:
    """The answers, by task id, of the claimed tasks whose family asks about
    many at once (one call per channel with two or more of them). A task it
    misses, or a failed call, is fetched on its own as usual."""
    groups: dict = {}
    for task in tasks:
        if task.family in FAMILIES and FAMILIES[task.family].fetch_many is not None:
            groups.setdefault((task.family, task.channel_id), []).append(task)
    answers = {}
    for (name, _channel_id), group in groups.items():
        channel = channel_of(group[0])
        if channel is None or len(group) < 2:
            continue
        request, split = FAMILIES[name].fetch_many(group)
        try:
            by_provider = split(adapter_for(channel.provider).fetch(channel, request, poll_timeouts(channel)))
        except UpstreamError as exc:
            log.info("tasks of channel %s: batch poll failed (%s); polling one by one", channel.id, exc.status)
            continue
        answers.update({task.id: by_provider[task.provider_task_id] for task in group
                        if task.provider_task_id in by_provider})
    return answers


def advance(task, owner: str, answer=None) -> str:
    """One poll of a claimed task (`answer`: already fetched by `prefetch`);
    returns its status afterwards."""
    family = FAMILIES[task.family]
    interval = current_app.config["TASK_POLL_SECONDS"] or 5.0
    try:
        if answer is None:
            _channel, answer = fetch(task)
    except LookupError as exc:
        store.finish(task, FAILED, error=str(exc), error_code="task_failed", http_status=502,
                     door=family.door.name)
        return FAILED
    except UpstreamError as exc:
        detail = exc.message
        channel = channel_of(task)
        if channel is not None:
            detail = sanitize(detail, (channel.api_key, channel.base_url))
        log.info("task %s: poll failed: %s", task.id, detail)
        store.save_poll(task, owner, None, min(interval * (2 + task.polls // 10), 300), {"poll_error": detail})
        return task.status
    poll = family.read(answer, task)
    if poll.status == SUCCEEDED:
        store.keep_result(task, poll, answer)
        usage = poll.usage or (family.measure(task) if family.measure else None)
        store.finish(task, SUCCEEDED, usage=usage, door=family.door.name)
        return SUCCEEDED
    if poll.status == FAILED:
        store.keep_result(task, poll, answer)
        store.finish(task, FAILED, error=poll.error or "the provider failed the task", error_code="task_failed",
                     http_status=502, door=family.door.name)
        return FAILED
    store.save_poll(task, owner, poll, interval, answer)
    return poll.status


def expire(timeout_minutes: float) -> int:
    """Release every open task older than the timeout; each exactly once."""
    released = 0
    for task in store.overdue(timeout_minutes):
        if store.finish(task, FAILED, error=f"timed out after {timeout_minutes:g} minutes",
                        error_code="task_timeout", http_status=504,
                        door=FAMILIES[task.family].door.name if task.family in FAMILIES else None) is not None:
            released += 1
    return released


def poll_once(owner: str | None = None) -> int:
    """One round: timeouts, then the due tasks. Returns how many were polled."""
    config = current_app.config
    owner = owner or owner_name()
    expire(config["TASK_TIMEOUT_MINUTES"])
    claimed = store.claim(owner, BATCH, config["TASK_LEASE_SECONDS"])
    try:
        answers = prefetch(claimed)
    except Exception:  # a bad batch must not stop the round: each task is then polled alone
        log.exception("task batch poll failed")
        answers = {}
    for task in claimed:
        try:
            advance(task, owner, answers.get(task.id))
        except Exception:  # one bad task must not stop the others
            log.exception("task %s: poll failed", task.id)
            store.save_poll(task, owner, None, config["TASK_POLL_SECONDS"] or 5.0, {"poll_error": "internal"})
    return len(claimed)


def work(app: Flask, *, once: bool = False, stop=None) -> None:
    """Poll forever (or once), every TASK_POLL_SECONDS."""
    interval = app.config["TASK_POLL_SECONDS"] or 5.0
    owner = owner_name()
    while True:
        with app.app_context():
            try:
                polled = poll_once(owner)
            except Exception:  # a bad round (database away) must not end the loop
                log.exception("task poll round failed")
                polled = 0
        if once or (stop is not None and stop()):
            return
        if not polled:
            time.sleep(interval)


def start_poller(app: Flask) -> None:
    """The in-process poller: one greenlet per worker when TASK_POLL_SECONDS > 0."""
    if app.config["TASK_POLL_SECONDS"] <= 0:
        return
    import gevent

    gevent.spawn(work, app)
