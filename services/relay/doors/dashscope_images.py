"""Image generation as a task, for models the operator marks `async`: an
OpenAI images request (POST /v1/images/generations) sent to DashScope's
asynchronous text-to-image API (Qwen-Image, Wanx) and answered at once
with the task (services.tasks.families.dashscope_images).

Billing: per image from the model's image price table by size (its
SIZE entry, else "*"), plus the request price: n images of the size asked for (1024x1024 when
none) held at submit, settled on the images the upstream reports it made
(usage.image_count, else its results), never above the hold."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.call import Ask, Upstream, check_forbidden
from services.relay.doors.base import Door
from services.relay.doors.media import MediaWriter, answer as media_answer, relay_error_body
from services.relay.doors.openai_chat import require_model
from services.relay.doors.openai_images import MAX_IMAGES, _int_field
from services.relay.errors import RelayError, invalid_request

DIALECT = "dashscope.images"
DEFAULT_SIZE = "1024x1024"
PASSED = ("seed", "prompt_extend", "watermark")  # DashScope's own parameters, passed when given


def size_of(value) -> str:
    if value in (None, "", "auto"):
        return DEFAULT_SIZE
    if not isinstance(value, str) or not value.replace("x", "", 1).replace("*", "", 1).isdigit():
        raise invalid_request("'size' must be WIDTHxHEIGHT, e.g. '1024x1024'.")
    return value.replace("*", "x")


def parse(body, headers=None) -> Ask:
    require_model(body)
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise RelayError(400, "prompt_required", "The 'prompt' field must be a non-empty string.")
    negative = body.get("negative_prompt")
    if negative is not None and not isinstance(negative, str):
        raise invalid_request("'negative_prompt' must be a string.")
    check_forbidden(body)
    n = _int_field(body, "n", 1, MAX_IMAGES, 1)
    size = size_of(body.get("size"))
    tier = size  # DashScope has no quality: the table's SIZE entry, else "*"
    fields = {"prompt": prompt, "negative_prompt": negative, "n": n, "size": size,
              **{name: body[name] for name in PASSED if name in body}}
    return Ask(model_id=body["model"], stream=False, prompt_bound=0, prompt_estimate=0, output_tokens=None,
               choices=n, body=fields, message_count=1, bound=Usage(images=n, image_tier=tier),
               measure=Usage(images=n, image_tier=tier, estimated=True))


def passthrough(ask: Ask, target, limit_changed: bool) -> Upstream:
    """DashScope's request: the prompt in `input`, the size as W*H."""
    body = ask.body
    prompt = {"prompt": body["prompt"]}
    if body.get("negative_prompt"):
        prompt["negative_prompt"] = body["negative_prompt"]
    parameters = {"size": body["size"].replace("x", "*"), "n": body["n"],
                  **{name: body[name] for name in PASSED if name in body}}
    return Upstream({"model": target.upstream_model, "input": prompt, "parameters": parameters}, DIALECT)


DOOR = Door(name="images", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=MediaWriter,
            answer=media_answer, error_body=relay_error_body)
