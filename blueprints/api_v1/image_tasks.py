"""Images as tasks (models with the `async` capability): the submit through
POST /v1/images/generations answers at once with the task; GET
/v1/images/tasks/{id} follows it and GET /v1/images/tasks/{id}/{n} relays
its images."""
from __future__ import annotations

from flask import Response, g, request

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.relaying import client_info, content_response, json_response
from services.relay.doors import openai_images
from services.tasks import image_tasks

DOOR = openai_images.DOOR  # the OpenAI images clients' key headers and errors


def _base() -> str:
    """Where this request's prefix (/v1 or /api/v1) is, for the image URLs."""
    prefix = "/api/v1" if request.path.startswith("/api/v1/") else "/v1"
    return request.host_url.rstrip("/") + prefix


def submit_image_task(body: dict) -> Response:
    task = image_tasks.create(g.api_key, body, request_id=g.request_id, client=client_info())
    return json_response(image_tasks.view(task, _base()))


@bp.get("/images/tasks/<task_id>")
@api_view(DOOR)
def get_image_task(task_id):
    return json_response(image_tasks.view(image_tasks.find(g.api_key, task_id), _base()))


@bp.get("/images/tasks/<task_id>/<n>")
@api_view(DOOR)
def image_task_content(task_id, n):
    return content_response(image_tasks.content(g.api_key, task_id, n))
