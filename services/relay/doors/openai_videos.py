"""The videos door (OpenAI's Sora API): POST /v1/videos (JSON, or multipart
with an `input_reference` image) and POST /v1/videos/{id}/remix, passed
through to channels speaking openai.videos. The answer is a task
(services.tasks.families.openai_videos).

Billing: the request price plus seconds × the model's per-second price for
the size. The hold is the seconds asked for (OpenAI's default, 4, when
omitted) at that size; the task settles on the seconds and size the
upstream reports when the video is done, never above the hold."""
from __future__ import annotations

from services.billing.pricing import Price, Usage
from services.relay.call import Ask, check_forbidden
from services.relay.doors.base import Door
from services.relay.doors.media import MediaWriter, answer as media_answer, passthrough_for, relay_error_body
from services.relay.doors.openai_chat import require_model
from services.relay.doors.openai_images import image_format, FORMATS
from services.relay.errors import RelayError, invalid_request

DIALECT = "openai.videos"
DEFAULT_SECONDS = 4
MAX_SECONDS = 60
DEFAULT_SIZE = "720x1280"
REFERENCE_FIELD = "input_reference"


class VideoRequest(dict):
    """A submit's fields; `files` holds a multipart request's uploads as
    (field, filename, file, content type), None for JSON. `remix_of` is the
    provider's id of the video being remixed, and `remix_path` its path."""

    def __init__(self, fields: dict, files: list | None = None, *, remix_path: str | None = None,
                 seconds: int | None = None, size: str | None = None, channel_id: int | None = None):
        super().__init__(fields)
        self.files = files
        self.remix_path = remix_path
        self.remixed_seconds = seconds
        self.remixed_size = size
        self.channel_id = channel_id


def seconds_of(value, default: int = DEFAULT_SECONDS) -> int:
    """OpenAI takes `seconds` as a string ("4"); numbers are accepted too."""
    if value is None or value == "":
        return default
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SECONDS:
        raise invalid_request(f"'seconds' must be a whole number of seconds from 1 to {MAX_SECONDS}.")
    return value


def size_of(value, default: str | None = DEFAULT_SIZE) -> str | None:
    if value is None or value == "":
        return default
    if not isinstance(value, str) or "x" not in value or not value.replace("x", "").isdigit():
        raise invalid_request("'size' must be WIDTHxHEIGHT, e.g. '1280x720'.")
    return value


def _checked_files(files: list | None) -> list | None:
    if not files:
        return None
    parts = []
    for field, filename, handle, ctype in files:
        if field != REFERENCE_FIELD:
            raise invalid_request(f"Unexpected file field '{field}': the reference image goes in "
                                  f"'{REFERENCE_FIELD}'.")
        head = handle.read(12)
        handle.seek(0)
        kind = image_format(head)
        if kind is None and not (head[4:8] == b"ftyp"):  # an image, or an MP4 reference
            raise RelayError(400, "invalid_image_format",
                             f"The file '{filename}' in '{field}' is not a PNG, JPEG, WEBP image or an MP4 video.")
        parts.append((field, filename, handle, FORMATS[kind] if kind else "video/mp4"))
    return parts


def parse(body, headers=None) -> Ask:
    remix = isinstance(body, VideoRequest) and body.remix_path is not None
    if not remix:
        require_model(body)
    elif not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise RelayError(400, "prompt_required", "The 'prompt' field must be a non-empty string.")
    check_forbidden(body)
    if remix:
        seconds, size = body.remixed_seconds or DEFAULT_SECONDS, body.remixed_size
    else:
        seconds, size = seconds_of(body.get("seconds")), size_of(body.get("size"))
    files = _checked_files(body.files) if isinstance(body, VideoRequest) else None
    if isinstance(body, VideoRequest) and body.files is None and REFERENCE_FIELD in body \
            and not isinstance(body[REFERENCE_FIELD], (str, dict)):
        raise invalid_request(f"'{REFERENCE_FIELD}' must be an uploaded file or a reference.")
    usage = Usage(video_seconds=seconds, video_size=size)
    return Ask(model_id=body["model"], stream=False, prompt_bound=0, prompt_estimate=0, output_tokens=None,
               choices=1, body=dict(body), message_count=1, bound=usage, measure=usage,
               path=body.remix_path if remix else None, files=files,
               channel_id=body.channel_id if remix else None)


def dearest(price: Price, seconds: int, size: str | None) -> int:
    """The hold of `seconds` of video of `size` (for docs and tests)."""
    return seconds * price.dearest_video(size)


DOOR = Door(name="videos", dialect=DIALECT, parse=parse, passthrough=passthrough_for(DIALECT), writer=MediaWriter,
            answer=media_answer, error_body=relay_error_body)
