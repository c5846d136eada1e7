"""The legacy completions door (POST /v1/completions): a `prompt` in,
`choices[].text` out. Passed through to channels speaking
openai.completions; converted to chat for the others
(services.relay.convert.completions), which refuses what chat cannot
emulate."""
from __future__ import annotations

from services.relay.call import Ask, Upstream, check_forbidden
from services.relay.convert.table import Target
from services.relay.doors.base import Door
from services.relay.doors.openai_chat import OpenAIChatWriter, _positive_int, _sse, completion_body, require_model, \
    relay_error_body
from services.relay.errors import RelayError, invalid_request
from services.relay.meter import Meter
from services.relay.tokens import json_value_tokens

DIALECT = "openai.completions"
DEFAULT_MAX_TOKENS = 16  # the API's default, not the model's cap


def validate(body) -> None:
    require_model(body)
    prompt = body.get("prompt")
    if not isinstance(prompt, (str, list)) or (isinstance(prompt, list) and not prompt):
        raise RelayError(400, "prompt_required", "The 'prompt' field must be a string or a non-empty array.")
    check_forbidden(body)
    _positive_int(body, "max_tokens")
    for name, low, high in (("n", 1, 128), ("best_of", 1, 20)):
        value = body.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high):
            raise invalid_request(f"'{name}' must be an integer from {low} to {high}.")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise invalid_request("'stream' must be true or false.")


def _prompts(body: dict) -> int:
    prompt = body["prompt"]
    if isinstance(prompt, list) and prompt and all(isinstance(p, (str, list)) for p in prompt):
        return len(prompt)  # several prompts (strings or token arrays)
    return 1


def parse(body, headers=None) -> Ask:
    validate(body)
    options = body.get("stream_options") if isinstance(body.get("stream_options"), dict) else {}
    choices = max(body.get("n") or 1, body.get("best_of") or 1) * _prompts(body)
    prompt_text = {"prompt": body["prompt"], "suffix": body.get("suffix")}
    return Ask(model_id=body["model"], stream=bool(body.get("stream")),
               prompt_bound=json_value_tokens(prompt_text, bound=True) + 8,
               prompt_estimate=json_value_tokens(prompt_text) + 8,
               output_tokens=body.get("max_tokens") or DEFAULT_MAX_TOKENS, choices=choices, body=body,
               include_usage=bool(options.get("include_usage")), message_count=1)


def passthrough(ask: Ask, target: Target, limit_changed: bool) -> Upstream:
    body = dict(ask.body)
    body["model"] = target.upstream_model
    if limit_changed:
        body["max_tokens"] = target.max_output_tokens
    if ask.stream:
        options = body.get("stream_options") if isinstance(body.get("stream_options"), dict) else {}
        body["stream_options"] = {**options, "include_usage": True}
    return Upstream(body, DIALECT)


class CompletionsWriter(OpenAIChatWriter):
    """The chat writer (usage shown only when asked, with the credits;
    `[DONE]` once settled), with the legacy object name on our estimate."""

    def _estimated_usage(self, meter: Meter) -> bytes:
        if not self.call.include_usage or self.sent_usage:
            return b""
        self.sent_usage = True
        usage = meter.billable(self.call.prompt_estimate)
        return _sse({
            "id": self.last.get("id", "cmpl-" + self.call.request_id), "object": "text_completion",
            "created": self.last.get("created", 0), "model": self.call.client_model, "choices": [],
            "usage": {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
                      "total_tokens": usage.total_tokens, "estimated": usage.estimated,
                      "credits": self.call.cost_of(usage)},
        })


DOOR = Door(name="completions", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=CompletionsWriter,
            answer=completion_body, error_body=relay_error_body)
