"""The OpenAPI description of the audio routes (/v1/audio/speech,
/transcriptions, /translations): a JSON body in and audio out, and a
multipart upload in and JSON or plain text out. Merged into the /v1 paths
by blueprints.apidocs.spec."""
from __future__ import annotations

from blueprints.apidocs.spec import BOOL, INT, NUM, OPENAI_SECURITY, RATE_HEADERS, STR, json_content, obj, \
    openai_errors, sse

AUDIO_TYPES = ("audio/mpeg", "audio/opus", "audio/aac", "audio/flac", "audio/wav", "audio/pcm")
FORMATS = ["mp3", "opus", "aac", "flac", "wav", "pcm"]
TRANSCRIPT_FORMATS = ["json", "text", "srt", "verbose_json", "vtt"]
ACCEPTED = "flac, m4a, mp3, mp4, mpeg, mpga, ogg (Vorbis, Opus, FLAC), wav"

SPEECH_REQUEST = obj({
    "model": {"type": "string", "minLength": 1},
    "input": {"type": "string", "minLength": 1, "maxLength": 4096},
    "voice": {"oneOf": [{"type": "string", "minLength": 1}, obj({"id": STR}, ["id"])],
              "description": "A voice name (`alloy`, `coral`...) or a custom voice `{\"id\"}`."},
    "response_format": {"enum": FORMATS, "default": "mp3"},
    "speed": {"type": "number", "minimum": 0.25, "maximum": 4.0, "default": 1.0},
    "instructions": STR,
    "stream_format": {"enum": ["audio", "sse"], "default": "audio"},
}, ["model", "input", "voice"], description="Billed per character of `input` (and per token on token-billed "
                                            "models); the hold counts at most 8 audio tokens a character.")

TRANSCRIPTION_FORM = obj({
    "file": {"type": "string", "contentMediaType": "application/octet-stream",
             "description": f"The audio, up to `AUDIO_UPLOAD_MAX_BYTES`: {ACCEPTED}."},
    "model": {"type": "string", "minLength": 1},
    "language": STR, "prompt": STR,
    "response_format": {"enum": TRANSCRIPT_FORMATS, "default": "json"},
    "temperature": {"type": "number", "minimum": 0, "maximum": 1},
    "timestamp_granularities[]": {"type": "array", "items": {"enum": ["word", "segment"]}},
    "stream": BOOL,
}, ["file", "model"], description="Billed per second of audio (measured from the file; the upstream's usage "
                                  "when it reports one) and per token on token-billed models.")

USAGE = {"oneOf": [obj({"type": {"const": "duration"}, "seconds": NUM}, ["type", "seconds"]),
                   obj({"type": {"const": "tokens"}, "input_tokens": INT, "output_tokens": INT,
                        "total_tokens": INT, "input_token_details": {"type": "object"}}, ["type"])]}
TRANSCRIPTION = obj({"text": STR, "usage": USAGE, "task": STR, "language": STR, "duration": NUM,
                     "segments": {"type": "array", "items": {"type": "object"}},
                     "words": {"type": "array", "items": {"type": "object"}}}, ["text"],
                    description="`json`: `{text, usage}`; `verbose_json` adds `task`, `language`, `duration`, "
                                "`segments` (and `words`).")
TEXT = {"text/plain": {"schema": STR, "example": "1\n00:00:00,000 --> 00:00:02,500\nHello.\n"}}
ERRORS = (400, 401, 402, 404, 413, 429, 502, 503)


def _upload_errors() -> dict:
    errors = openai_errors(*ERRORS)
    errors["400"] = {**errors["400"], "description": "Bad fields, no `file`, or a file that is not audio Tollgate "
                                                     f"can measure (`invalid_audio`; accepted: {ACCEPTED}); "
                                                     "never billed."}
    errors["413"] = {**errors["413"], "description": "The upload is over `AUDIO_UPLOAD_MAX_BYTES` "
                                                     "(`request_too_large`), refused before it is read."}
    return errors


def _transcribe(op_id: str, summary: str, description: str) -> dict:
    return {"post": {
        "operationId": op_id, "tags": ["OpenAI"], "summary": summary, "description": description,
        "security": OPENAI_SECURITY,
        "requestBody": {"required": True, "content": {"multipart/form-data": {
            "schema": TRANSCRIPTION_FORM,
            "example": {"model": "whisper-1", "response_format": "json"}}}},
        "responses": {"200": {"description": "The transcript: JSON, plain text (`text`, `srt`, `vtt`) as the "
                                             "upstream gave it, or its events with `stream`.", "headers": RATE_HEADERS,
                              "content": {**json_content(TRANSCRIPTION, {"text": "Hello.", "usage": {
                                  "type": "duration", "seconds": 3}}), **TEXT,
                                  **sse({"const": "message"}, "`transcript.text.delta` events, then "
                                                              "`transcript.text.done` with the usage.")}},
                      **_upload_errors()}}}


def audio_paths() -> dict:
    return {
        "/audio/speech": {"post": {
            "operationId": "createSpeech", "tags": ["OpenAI"], "summary": "Text to speech",
            "description": "OpenAI's speech API, always relayed as it arrives: the audio bytes under the "
                           "upstream's content type, or `speech.audio.delta` / `speech.audio.done` events with "
                           "`\"stream_format\": \"sse\"`. A client that hangs up is billed its characters.",
            "security": OPENAI_SECURITY,
            "requestBody": {"required": True, "content": json_content(SPEECH_REQUEST, {
                "model": "tts-1", "voice": "alloy", "input": "Hello from Tollgate.", "response_format": "mp3"})},
            "responses": {"200": {"description": "The audio, as it is made.", "headers": RATE_HEADERS,
                                  "content": {**{kind: {"schema": {"type": "string",
                                                                   "contentMediaType": kind}}
                                                 for kind in AUDIO_TYPES},
                                              **sse({"const": "message"}, "`speech.audio.delta` events (base64 "
                                                                          "`audio`), then `speech.audio.done`.")}},
                          **openai_errors(*ERRORS)}}},
        "/audio/transcriptions": _transcribe("createTranscription", "Transcribe audio",
                                             "OpenAI's transcription API (whisper-1, gpt-4o-transcribe): multipart "
                                             "in; `json`, `verbose_json`, `text`, `srt` or `vtt` out."),
        "/audio/translations": _transcribe("createTranslation", "Translate audio",
                                           "OpenAI's translation API (to English): the same fields and answers as "
                                           "transcriptions."),
    }
