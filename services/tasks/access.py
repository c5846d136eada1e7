"""A client's reach into its tasks: only its own account's, and results
relayed through Tollgate (the provider's location and key never shown)."""
from __future__ import annotations

from models.task import SUCCEEDED
from services.relay.adapters import adapter_for
from services.relay.adapters.base import UpstreamError
from services.relay.adapters.transport import body_chunks
from services.relay.adapters import http
from services.relay.errors import RelayError
from services.tasks import store
from services.tasks.store import channel_of


def find(key, families: tuple[str, ...], task_id: str, what: str = "task"):
    task = store.visible(key.account_id, task_id, families) if isinstance(task_id, str) else None
    if task is None:
        raise RelayError(404, "not_found", f"No {what} '{str(task_id)[:80]}' was found.")
    return task


class Content:
    """A result relayed as it arrives; closes the upstream when done."""

    def __init__(self, response):
        self.response = response
        self.content_type = response.headers.get("Content-Type") or "application/octet-stream"
        self.length = response.headers.get("Content-Length")

    def __iter__(self):
        try:
            yield from body_chunks(self.response)
        except UpstreamError:
            return  # the client sees a short body; there is nothing else to tell it mid-transfer
        finally:
            http.close(self.response)


def content(task, location: str, what: str = "result") -> Content:
    """The task's result from the channel that made it: `location` a path
    under the channel, or the provider's URL."""
    if task.status != SUCCEEDED:
        raise RelayError(404, "not_ready", f"The {what} is not ready: the task is {task.status}.")
    channel = channel_of(task)
    if channel is None:
        raise RelayError(502, "provider_error", f"The {what} is no longer available: its channel is gone.")
    try:
        response = adapter_for(channel.provider).download(channel, location, channel.timeouts)
    except UpstreamError as exc:
        if exc.status == 404:
            raise RelayError(404, "not_found", f"The provider no longer has this {what}.") from None
        raise RelayError(502, "provider_error", f"The {what} could not be fetched from the provider.") from None
    return Content(response)
