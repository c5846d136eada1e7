"""OpenAI images ("openai.images", POST /v1/images/generations and
/v1/images/edits): what an answer or a stream bills on.

An answer's `data` holds the images made: their count is `images`, and the
`size`/`quality` it reports (GPT image models do) is their tier. GPT image
models also report tokens, `{input_tokens, input_tokens_details:
{text_tokens, image_tokens}, output_tokens}`: image input tokens are billed
at the model's image input price, the rest as input and output. DALL·E
reports no usage: the images and the tier the door measured are billed.

Streamed, each `image_generation.completed` / `image_edit.completed` event
is one image; their output tokens add up, the input (the same prompt and
images for each) is counted once."""
from __future__ import annotations

import time

from services.billing.pricing import Usage
from services.relay.dialects._numbers import count

NAME = "openai.images"
COMPLETED = frozenset({"image_generation.completed", "image_edit.completed"})
PARTIAL = frozenset({"image_generation.partial_image", "image_edit.partial_image"})

__all__ = ["COMPLETED", "NAME", "PARTIAL", "observe_answer", "observe_event", "read_usage", "tier_of"]


def read_usage(usage) -> Usage | None:
    """The tokens of a GPT image answer or completed event; None without."""
    if not isinstance(usage, dict):
        return None
    details = usage.get("input_tokens_details")
    details = details if isinstance(details, dict) else {}
    prompt = count(usage.get("input_tokens"))
    image_tokens = min(count(details.get("image_tokens")), prompt)
    return Usage(prompt_tokens=prompt, completion_tokens=count(usage.get("output_tokens")),
                 image_input_tokens=image_tokens)


def tier_of(answer: dict) -> str | None:
    """"SIZE/QUALITY" when the upstream says both (not "auto")."""
    size, quality = answer.get("size"), answer.get("quality")
    if isinstance(size, str) and isinstance(quality, str) and size and quality and "auto" not in (size, quality):
        return f"{size.lower()}/{quality.lower()}"
    return None


def observe_answer(meter, answer: dict) -> None:
    data = answer.get("data")
    images = len(data) if isinstance(data, list) else 0
    usage = read_usage(answer.get("usage")) or Usage(estimated=True)
    usage.images, usage.image_tier = images, tier_of(answer)
    # With no image in `data` the door's measure supplies the count (units
    # at zero are taken from it), which the hold bounds.
    meter.usage = usage


def _first_image(meter) -> None:
    """The time to first token is that of the first image, partial or not."""
    if meter.first_token_at is None:
        meter.first_token_at = time.perf_counter()


def observe_event(meter, event: dict) -> None:
    kind = event.get("type")
    if kind in PARTIAL:
        _first_image(meter)
        return
    if kind not in COMPLETED:
        return
    state = meter.state
    state["images"] = state.get("images", 0) + 1
    usage = read_usage(event.get("usage"))
    if usage is not None:
        state["prompt"] = max(state.get("prompt", 0), usage.prompt_tokens)
        state["image_input"] = max(state.get("image_input", 0), usage.image_input_tokens)
        state["output"] = state.get("output", 0) + usage.completion_tokens
        state["reported"] = True
    tier = tier_of(event) or state.get("tier")
    state["tier"] = tier
    _first_image(meter)
    meter.usage = Usage(prompt_tokens=state.get("prompt", 0), completion_tokens=state.get("output", 0),
                        image_input_tokens=state.get("image_input", 0), images=state["images"],
                        image_tier=tier, estimated=not state.get("reported"))
