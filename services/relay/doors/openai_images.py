"""The images door: POST /v1/images/generations (JSON) and /v1/images/edits
(multipart uploads, or JSON with image references), passed through to
channels speaking openai.images.

Billing: per image from the model's image price table by "SIZE/QUALITY",
and by tokens where the model has token prices (GPT image models report
them). The hold is the worst case: n images at the dearest price the size
and quality can have ("auto" or unknown: the dearest entry), plus, when
tokens are priced, the prompt, INPUT_IMAGE_TOKENS per input image and the
output bound of each image. The answer settles it: the images in `data`
(or the completed events of a stream), the tier it reports, its tokens."""
from __future__ import annotations

from services.billing.pricing import Price, Usage
from services.catalog.snapshot import current_catalog
from services.relay.call import Ask, check_forbidden
from services.relay.dialects.openai_images import COMPLETED
from services.relay.doors.base import Door
from services.relay.doors.media import MediaWriter, answer as media_answer, passthrough_for, relay_error_body
from services.relay.doors.openai_chat import require_model
from services.relay.errors import RelayError, invalid_request
from services.relay.tokens import json_value_tokens

DIALECT = "openai.images"
EDITS_PATH = "/images/edits"
# Token bounds for token-priced models, per image: an input image (gpt-image-1
# at high input fidelity stays under it), and an output image when the model
# declares no max_output_tokens (6240: gpt-image-1 at high quality, 1024x1536),
# plus what each partial image adds to the output (100 tokens).
INPUT_IMAGE_TOKENS = 6240
OUTPUT_IMAGE_TOKENS = 6240
PARTIAL_IMAGE_TOKENS = 100
MAX_IMAGES = 10
# DALL·E's own defaults; other models default to "auto" (the dearest tier).
DALLE_DEFAULTS = {"size": "1024x1024", "quality": "standard"}
FILE_FIELDS = frozenset({"image", "image[]", "mask", "markup"})
IMAGE_FIELDS = frozenset({"image", "image[]"})
FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


class ImageEdit(dict):
    """An edit request's fields; `files` holds its uploads as (field,
    filename, file, content type) for a multipart request, None for JSON."""

    def __init__(self, fields: dict, files: list | None = None):
        super().__init__(fields)
        self.files = files


def image_format(head: bytes) -> str | None:
    """PNG, JPEG or WEBP by their magic bytes; None for anything else."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def checked_uploads(files: list) -> list:
    """The uploads with their content type from their bytes (the SDKs often
    send application/octet-stream, which the upstream refuses); a 400 for
    a field that is not an image field, or a file that is not an image."""
    parts = []
    for field, filename, handle, _ctype in files:
        if field not in FILE_FIELDS:
            raise invalid_request(f"Unexpected file field '{field}': images go in 'image' (or 'image[]'), "
                                  "the mask in 'mask'.")
        head = handle.read(12)
        handle.seek(0)
        kind = image_format(head)
        if kind is None:
            raise RelayError(400, "invalid_image_format",
                             f"The file '{filename}' in '{field}' is not a PNG, JPEG or WEBP image.")
        parts.append((field, filename, handle, FORMATS[kind]))
    if not any(field in IMAGE_FIELDS for field, *_rest in parts):
        raise RelayError(400, "image_required", "An image to edit is required in 'image' (or 'image[]').")
    return parts


def _int_field(body: dict, name: str, low: int, high: int, default: int | None) -> int | None:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, str) and value.strip().isdigit():  # a multipart field
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise invalid_request(f"'{name}' must be an integer from {low} to {high}.")
    return value


def _flag(body: dict, name: str) -> bool:
    value = body.get(name)
    if value is None:
        return False
    if isinstance(value, str) and value.lower() in ("true", "false"):  # a multipart field
        return value.lower() == "true"
    if not isinstance(value, bool):
        raise invalid_request(f"'{name}' must be true or false.")
    return value


def _choice(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise invalid_request(f"'{name}' must be a string.")
    return value.strip().lower() if value else None


def _references(body: dict) -> int:
    """The input images of a JSON edit (`images: [{image_url} | {file_id}]`,
    an optional `mask` the same way): how many there are."""
    images = body.get("images")
    if not isinstance(images, list) or not images:
        raise RelayError(400, "image_required", "'images' must be a non-empty array of {image_url} or {file_id}.")
    mask = body.get("mask")
    for item in images + ([mask] if mask is not None else []):
        if not isinstance(item, dict) or not any(isinstance(item.get(k), str) and item[k]
                                                  for k in ("image_url", "file_id")):
            raise invalid_request("Each image reference (and the mask) must be an object with "
                                  "'image_url' or 'file_id'.")
    return len(images) + (mask is not None)


def dearest_tier(price: Price, size: str | None, quality: str | None) -> str | None:
    """The tier to hold for: "SIZE/QUALITY" when both are known, else the
    price-table entry dearest among those the unknown part could match
    (its price is Price.dearest_image's)."""
    size = None if size in (None, "auto") else size
    quality = None if quality in (None, "auto") else quality
    if size is not None and quality is not None:
        return f"{size}/{quality}"

    def matches(name: str) -> bool:
        s, _, q = name.partition("/")
        return (size is None or s in ("*", size)) and (quality is None or q in ("", "*", quality))

    candidates = [name for name in price.image if matches(name)]
    return max(candidates, key=lambda name: price.image[name]) if candidates else None


def _model(model_id: str):
    return current_catalog().resolve(model_id)


def parse(body, headers=None) -> Ask:
    require_model(body)
    edit = isinstance(body, ImageEdit)
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise RelayError(400, "prompt_required", "The 'prompt' field must be a non-empty string.")
    check_forbidden(body)
    n = _int_field(body, "n", 1, MAX_IMAGES, 1)
    partial = _int_field(body, "partial_images", 0, 3, 0)
    stream = _flag(body, "stream")
    response_format = _choice(body, "response_format")
    if response_format not in (None, "url", "b64_json"):
        raise invalid_request("'response_format' must be 'url' or 'b64_json'.")
    files = None
    inputs = 0
    if edit and body.files is not None:
        files = checked_uploads(body.files)
        inputs = len(files)
    elif edit:
        inputs = _references(body)
    model = _model(body["model"])
    price = model.price if model is not None else Price()
    dalle = "dall-e" in body["model"].lower() or (model is not None and "dall-e" in model.id.lower())
    defaults = DALLE_DEFAULTS if dalle else {}
    size = _choice(body, "size") or defaults.get("size")
    quality = _choice(body, "quality") or defaults.get("quality")
    tier = dearest_tier(price, size, quality)
    prompt_bound = json_value_tokens(prompt, bound=True)
    prompt_estimate = json_value_tokens(prompt)
    bound = Usage(images=n, image_tier=tier)
    # Without usage, an answer is billed n images of the tier; a stream only
    # the images its completed events count (none when it broke before).
    measure = Usage(images=0 if stream else n, image_tier=tier, estimated=True)
    if price.input or price.output or price.image_input:
        per_image = (model.max_output_tokens if model is not None and model.max_output_tokens
                     else OUTPUT_IMAGE_TOKENS) + partial * PARTIAL_IMAGE_TOKENS
        bound.prompt_tokens = prompt_bound + inputs * INPUT_IMAGE_TOKENS
        bound.image_input_tokens = inputs * INPUT_IMAGE_TOKENS
        bound.completion_tokens = n * per_image
        measure.prompt_tokens = prompt_estimate
    return Ask(model_id=body["model"], stream=stream, prompt_bound=prompt_bound, prompt_estimate=prompt_estimate,
               output_tokens=None, choices=n, body=body, message_count=1, bound=bound, measure=measure,
               path=EDITS_PATH if edit else None, files=files)


class ImageWriter(MediaWriter):
    """The upstream's events as they came, each completed image held back
    until the next event: the last one reaches the client once the call
    is settled (with n > 1 only the stream's end says which is last)."""

    def __init__(self, call):
        super().__init__(call)
        self.held = b""

    def event(self, event, meter) -> bytes | None:
        out, self.held = self.held, b""
        if event.chunk is not None and event.chunk.get("type") in COMPLETED:
            self.held = event.raw
        elif event.raw:
            out += event.raw
        return out or None

    def end(self, meter) -> bytes:
        out, self.held = self.held, b""
        return out

    def error(self, error: RelayError) -> bytes:
        return self.end(None) + super().error(error)


def answer(call, body: dict, meter) -> dict:
    """The upstream's answer, with the credits charged in its usage."""
    body = media_answer(call, body, meter)
    usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
    return {**body, "usage": {**usage, "credits": call.cost or 0}}


DOOR = Door(name="images", dialect=DIALECT, parse=parse, passthrough=passthrough_for(DIALECT), writer=ImageWriter,
            answer=answer, error_body=relay_error_body)
