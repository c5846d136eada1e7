"""OpenAI videos for the views: create, remix, find and fetch content."""
from __future__ import annotations

from services.relay.doors.openai_videos import VideoRequest
from services.relay.errors import invalid_request
from services.tasks import access
from services.tasks.families import openai_videos
from services.tasks.submit import submit

FAMILY = openai_videos.FAMILY
WHAT = "video"


def create(key, body: VideoRequest, *, request_id: str, client):
    return submit(key, FAMILY, body, {}, request_id=request_id, client=client)


def find(key, video_id: str):
    return access.find(key, (FAMILY.name,), video_id, WHAT)


def remix(key, video_id: str, body: dict, *, request_id: str, client):
    """A new video from a finished one, on the channel that made it."""
    original = find(key, video_id)
    params = original.params or {}
    result = original.result or {}
    request = VideoRequest({"model": params.get("client_model") or original.model, "prompt": body.get("prompt")},
                           remix_path=f"/videos/{original.provider_task_id}/remix",
                           seconds=int(result.get("seconds") or params.get("seconds") or 0) or None,
                           size=result.get("size") or params.get("size"), channel_id=original.channel_id)
    return submit(key, FAMILY, request, {}, request_id=request_id, client=client,
                  params={"remix_of": original.id, "action": "remix"})


def content(key, video_id: str, variant: str):
    if variant not in openai_videos.VARIANTS:
        raise invalid_request(f"'variant' must be one of {', '.join(openai_videos.VARIANTS)}.")
    task = find(key, video_id)
    return access.content(task, f"/videos/{task.provider_task_id}/content?variant={variant}", WHAT)


def view(task) -> dict:
    return FAMILY.view(task)
