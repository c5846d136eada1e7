"""POST /v1/images/generations and /v1/images/edits: the images door.
Edits come as multipart uploads (`image` or `image[]`, repeated, and
`mask`) or as JSON with image references, both under
IMAGE_UPLOAD_MAX_BYTES rather than MAX_REQUEST_BYTES. A generation for a
model with the `async` capability is a task (blueprints/api_v1/image_tasks.py)."""
from __future__ import annotations

from flask import current_app, request

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body
from blueprints.api_v1.image_tasks import submit_image_task
from blueprints.api_v1.relaying import relay
from blueprints.api_v1.uploads import read_form, too_large
from blueprints.json_body import MAX_DEPTH, BodyTooLarge, NotJson, read_json
from services.relay.doors import openai_images
from services.relay.doors.openai_images import ImageEdit
from services.relay.errors import invalid_request
from services.tasks import image_tasks

DOOR = openai_images.DOOR


@bp.post("/images/generations")
@api_view(DOOR)
def image_generations():
    body = read_json_body()
    if image_tasks.is_task(body):  # a model marked `async`: answered at once with a task
        return submit_image_task(body)
    return relay(DOOR, body=body)


@bp.post("/images/edits")
@api_view(DOOR)
def image_edits():
    limit = current_app.config["IMAGE_UPLOAD_MAX_BYTES"]
    if request.mimetype == "multipart/form-data":
        fields, files = read_form(limit)
        uploads = [(name, storage.filename or name, storage.stream, storage.mimetype)
                   for name, storage in files.items(multi=True)]
        return relay(DOOR, body=ImageEdit(fields, uploads))
    request.max_content_length = limit  # image references may be data URLs
    try:
        body = read_json(limit)
    except BodyTooLarge:
        raise too_large(limit) from None
    except NotJson:
        raise invalid_request(f"The request body is not valid JSON (or is nested more than {MAX_DEPTH} deep), "
                              "nor multipart/form-data.") from None
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    return relay(DOOR, body=ImageEdit(body))
