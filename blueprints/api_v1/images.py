"""POST /v1/images/generations and /v1/images/edits: the images door.
Edits come as multipart uploads (`image` or `image[]`, repeated, and
`mask`) or as JSON with image references, both under
IMAGE_UPLOAD_MAX_BYTES rather than MAX_REQUEST_BYTES."""
from __future__ import annotations

from flask import current_app, request

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.relaying import relay
from blueprints.api_v1.uploads import read_form, too_large
from blueprints.json_body import MAX_DEPTH, BodyTooLarge, NotJson, read_json
from services.relay.doors import openai_images
from services.relay.doors.openai_images import ImageEdit
from services.relay.errors import invalid_request

DOOR = openai_images.DOOR


@bp.post("/images/generations")
@api_view(DOOR)
def image_generations():
    return relay(DOOR)


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
