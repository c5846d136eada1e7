"""The speech-to-text doors: POST /v1/audio/transcriptions and
/v1/audio/translations (multipart: `file`, `model`, `language`, `prompt`,
`response_format`, `temperature`, `timestamp_granularities[]`, `stream`).

The upload's duration is measured here (mutagen reads it from the file's
headers), before the call: a file it cannot read is refused, unbilled. The
hold is that duration at the second price (rounded up to whole seconds, as
whisper reports them) plus, for token-billed models, a bound on the audio
and text tokens it can make. The upstream's usage settles the call when it
gives one (whisper: seconds; gpt-4o-transcribe: tokens); text, srt and vtt
answers have none, and are billed on the measured duration and the text."""
from __future__ import annotations

import math

import mutagen
from mutagen.flac import FLAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from services.billing.pricing import Usage
from services.relay.adapters.transport import TextAnswer
from services.relay.call import Ask, check_forbidden
from services.relay.doors.base import Door, RawBody
from services.relay.doors.media import MediaWriter, answer as media_answer, passthrough_for, relay_error_body
from services.relay.doors.openai_chat import require_model
from services.relay.errors import RelayError, invalid_request
from services.relay.tokens import bound_text_tokens, estimate_text_tokens

DIALECT = "openai.audio.transcriptions"
RESPONSE_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
GRANULARITIES = ("word", "segment")
# The types whose duration mutagen reads, and the names clients know them by.
AUDIO_TYPES = (MP3, MP4, FLAC, OggVorbis, OggOpus, OggFLAC, WAVE)
ACCEPTED = "flac, m4a, mp3, mp4, mpeg, mpga, ogg (Vorbis, Opus, FLAC), wav"
# Token-billed models (gpt-4o-transcribe): about 10 audio tokens a second
# (one per 100 ms), for the estimate when the answer has no usage; the hold
# allows 5 times that. A transcript runs at a few tokens a second of speech:
# the hold allows 12 a second, plus TEXT_TOKENS_BASE for a short clip.
AUDIO_TOKENS_PER_SECOND = 10
AUDIO_TOKENS_PER_SECOND_BOUND = 50
TEXT_TOKENS_PER_SECOND_BOUND = 12
TEXT_TOKENS_BASE = 64
TRUE, FALSE = ("true", "1"), ("false", "0", "")


class _Named:
    """The upload's stream with its filename, which mutagen weighs (with
    the file's first bytes) to pick a format."""

    def __init__(self, stream, name: str):
        self._stream, self.name = stream, name

    def __getattr__(self, attr):
        return getattr(self._stream, attr)


def unreadable() -> RelayError:
    return RelayError(400, "invalid_audio", "The file could not be read as audio, or its type is not supported. "
                                            f"Accepted formats: {ACCEPTED}.")


def duration_seconds(storage) -> float:
    """The upload's length in seconds, or a 400 for what is not audio we read."""
    stream = storage.stream
    try:
        stream.seek(0)
        audio = mutagen.File(_Named(stream, storage.filename or "audio"), options=AUDIO_TYPES)
        length = float(audio.info.length) if audio is not None else 0.0
    except Exception:  # mutagen raises many kinds on malformed files
        raise unreadable() from None
    finally:
        stream.seek(0)
    if not (math.isfinite(length) and length > 0):
        raise unreadable()
    return length


def _once(body: dict, name: str) -> None:
    """A field the form may carry once (read_form makes a repeated one a list)."""
    if isinstance(body.get(name), list):
        raise invalid_request(f"'{name}' was given more than once.")


def validate(body) -> None:
    require_model(body)
    check_forbidden(body)
    storage = body.get("file")
    if storage is None or not hasattr(storage, "stream"):
        raise RelayError(400, "file_required", f"The 'file' part is required: an audio file ({ACCEPTED}).")
    for name in ("language", "prompt", "response_format", "temperature", "stream", "model"):
        _once(body, name)
    if body.get("response_format") not in (None, *RESPONSE_FORMATS):
        raise invalid_request(f"'response_format' must be one of: {', '.join(RESPONSE_FORMATS)}.")
    if body.get("temperature") is not None:
        try:
            temperature = float(body["temperature"])
        except ValueError:
            temperature = -1.0
        if not 0.0 <= temperature <= 1.0:
            raise invalid_request("'temperature' must be a number from 0 to 1.")
    if str(body.get("stream", "")).lower() not in TRUE + FALSE:
        raise invalid_request("'stream' must be true or false.")
    granularities = body.get("timestamp_granularities[]")
    for value in granularities if isinstance(granularities, list) else [granularities] if granularities else ():
        if value not in GRANULARITIES:
            raise invalid_request(f"'timestamp_granularities[]' must be among: {', '.join(GRANULARITIES)}.")


def parse_for(path: str):
    """The door's parse for one of the two paths: `body` is the form's
    fields with the upload under "file" (blueprints.api_v1.audio)."""
    def parse(body, headers=None) -> Ask:
        validate(body)
        storage = body["file"]
        seconds = duration_seconds(storage)
        whole = math.ceil(seconds)
        fields = {name: value for name, value in body.items() if name != "file"}
        prompt = fields.get("prompt") if isinstance(fields.get("prompt"), str) else None
        audio_estimate = math.ceil(seconds * AUDIO_TOKENS_PER_SECOND)
        bound = Usage(audio_ms=whole * 1000,
                      prompt_tokens=whole * AUDIO_TOKENS_PER_SECOND_BOUND + bound_text_tokens(prompt),
                      completion_tokens=whole * TEXT_TOKENS_PER_SECOND_BOUND + TEXT_TOKENS_BASE)
        measure = Usage(audio_ms=math.ceil(seconds * 1000),
                        prompt_tokens=audio_estimate + estimate_text_tokens(prompt))
        return Ask(model_id=fields["model"], stream=str(fields.get("stream", "")).lower() in TRUE,
                   prompt_bound=bound.prompt_tokens, prompt_estimate=measure.prompt_tokens,
                   output_tokens=None, choices=1, body=fields, message_count=1, bound=bound, measure=measure,
                   path=path, files=[("file", storage.filename or "audio", storage.stream,
                                      storage.mimetype or "application/octet-stream")])
    return parse


def answer(call, answer: dict, meter):
    """JSON answers under the client's model name; text, srt and vtt as they came."""
    if isinstance(answer, TextAnswer):
        return RawBody(answer.raw, answer.content_type)
    return media_answer(call, answer, meter)


def _door(name: str, path: str) -> Door:
    return Door(name=name, dialect=DIALECT, parse=parse_for(path), passthrough=passthrough_for(DIALECT),
                writer=MediaWriter, answer=answer, error_body=relay_error_body)


TRANSCRIPTIONS = _door("transcriptions", "/audio/transcriptions")
TRANSLATIONS = _door("translations", "/audio/translations")
DOOR = TRANSCRIPTIONS
