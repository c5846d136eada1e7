"""The text-to-speech door (POST /v1/audio/speech): JSON in, audio out.

Always relayed as it arrives: the upstream's audio bytes under its own
content type, or its SSE (`speech.audio.delta` / `speech.audio.done`) when
the client asked `stream_format: "sse"`. Billed per 1M characters of input
(Price.character), and per token for token-billed models: the input text
at the input price, the audio the upstream reports in `speech.audio.done`
at the output price.

A client that hangs up mid-answer is still billed its characters (and the
input tokens estimated): the upstream has been given the whole input and
does the work whether or not the audio is read."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.call import Ask, check_forbidden
from services.relay.doors.base import Door
from services.relay.doors.media import MediaWriter, answer, passthrough_for, relay_error_body
from services.relay.doors.openai_chat import require_model
from services.relay.errors import RelayError, invalid_request
from services.relay.tokens import bound_text_tokens, estimate_text_tokens

DIALECT = "openai.audio.speech"
MAX_INPUT_CHARACTERS = 4096  # the API's own limit
FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
STREAM_FORMATS = ("audio", "sse")
# The most audio tokens one character of input can become, for the hold of
# token-billed models: about 1.5 at normal speed on gpt-4o-mini-tts
# (~20 audio tokens a second, ~14 characters a second), 6 at the slowest
# speed (0.25); 8 leaves room above both.
AUDIO_TOKENS_PER_CHARACTER = 8


def validate(body) -> None:
    require_model(body)
    check_forbidden(body)
    text = body.get("input")
    if not isinstance(text, str) or not text:
        raise RelayError(400, "input_required", "The 'input' field must be a non-empty string.")
    if len(text) > MAX_INPUT_CHARACTERS:
        raise invalid_request(f"'input' is {len(text)} characters long; at most {MAX_INPUT_CHARACTERS} are accepted.")
    voice = body.get("voice")
    if not (isinstance(voice, str) and voice.strip()) and not (isinstance(voice, dict) and voice.get("id")):
        raise invalid_request("The 'voice' field is required: a voice name, or {\"id\": ...} of a custom voice.")
    for name, allowed in (("response_format", FORMATS), ("stream_format", STREAM_FORMATS)):
        if body.get(name) is not None and body[name] not in allowed:
            raise invalid_request(f"'{name}' must be one of: {', '.join(allowed)}.")
    speed = body.get("speed")
    if speed is not None and (not isinstance(speed, (int, float)) or isinstance(speed, bool)
                              or not 0.25 <= speed <= 4.0):
        raise invalid_request("'speed' must be a number from 0.25 to 4.0.")
    if body.get("instructions") is not None and not isinstance(body["instructions"], str):
        raise invalid_request("'instructions' must be a string.")


def parse(body, headers=None) -> Ask:
    validate(body)
    text, instructions = body["input"], body.get("instructions")
    characters = len(text)
    prompt_bound = bound_text_tokens(text) + bound_text_tokens(instructions)
    prompt_estimate = estimate_text_tokens(text) + estimate_text_tokens(instructions)
    return Ask(model_id=body["model"], stream=True, prompt_bound=prompt_bound, prompt_estimate=prompt_estimate,
               output_tokens=None, choices=1, body=body, message_count=1,
               bound=Usage(prompt_tokens=prompt_bound, completion_tokens=characters * AUDIO_TOKENS_PER_CHARACTER,
                           characters=characters),
               measure=Usage(prompt_tokens=prompt_estimate, characters=characters))


DOOR = Door(name="speech", dialect=DIALECT, parse=parse, passthrough=passthrough_for(DIALECT),
            writer=MediaWriter, answer=answer, error_body=relay_error_body)
