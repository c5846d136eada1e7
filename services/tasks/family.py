"""What a task family provides, and what the poller reads from it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from services.billing.pricing import Usage


@dataclass(frozen=True)
class Accepted:
    """The upstream took the submit: its own id, and what it said."""

    provider_task_id: str
    status: str = "queued"           # ours: queued or in_progress
    progress: int = 0
    upstream_status: str | None = None
    result: dict | None = None


@dataclass(frozen=True)
class Refused(Exception):
    """The upstream answered the submit without taking it (Midjourney's
    codes other than 1): the answer goes to the client as it came, and
    nothing is charged."""

    answer: dict
    status: int = 200


@dataclass(frozen=True)
class Poll:
    """What one fetch of the task says."""

    status: str                      # queued, in_progress, succeeded, failed
    progress: int = 0
    upstream_status: str | None = None
    usage: Usage | None = None       # what to bill on success (None: the hold's measure)
    result: dict | None = None       # the family's view of the result (kept on the task)
    result_url: str | None = None    # where the result is at the provider (relayed, never shown)
    error: str | None = None


@dataclass(frozen=True)
class Fetch:
    """How to ask the upstream about a task."""

    method: str
    path: str                        # under the channel's base URL
    body: dict | None = None


@dataclass(frozen=True)
class Family:
    name: str                        # the dialect a channel must speak to take it
    door: object                     # its Door (parse -> Ask, error shape, key headers)
    id_prefix: str                   # our ids: prefix + random
    accept: Callable                 # (upstream answer, call) -> Accepted; raises Refused
    fetch: Callable                  # (task) -> Fetch
    read: Callable                   # (upstream answer, task) -> Poll
    view: Callable                   # (task) -> the client's view
    measure: Callable = None         # (task) -> Usage billed on success when the poll reports none
    params: Callable = field(default=lambda ask: {})  # (ask) -> what the views echo, kept on the task
    # (open tasks of one channel) -> (Fetch of them all, answer -> {provider task id: its answer}):
    # a family whose provider answers about many tasks in one call (Midjourney's list-by-condition).
    fetch_many: Callable | None = None
