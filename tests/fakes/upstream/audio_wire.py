"""OpenAI's audio endpoints on the wire: POST /v1/audio/speech and
/v1/audio/transcriptions, /v1/audio/translations.

Speech answers real audio bytes (`speech_audio`: a WAV of the length the
input would take to say, MPEG frames for mp3, the format's magic bytes
then silence for the others) under the format's content type, chunked, a
little apart (`delay`, default 0.02 s); `stream_format: "sse"` gives
`speech.audio.delta` events (base64) and `speech.audio.done` with the
usage (`speech_usage`). A directive in `input` steers it (`delay`,
`chunks`, `usage: false`, `status`).

Transcriptions and translations parse the multipart upload, measure it
with mutagen (an unreadable file is OpenAI's 400) and answer each
`response_format` in its real shape: json `{text, usage}`, verbose_json
`{task, language, duration, text, segments, words?, usage}`, text, srt
and vtt as plain bodies without usage. Usage is whisper's `{type:
"duration", seconds}` (whole seconds, rounded up) for whisper models and
gpt-4o-transcribe's `{type: "tokens", ...}` (`transcribe_usage`) for the
others; `stream: true` (not whisper) gives `transcript.text.delta` events
and `transcript.text.done` with the usage. A directive in `prompt` sets
the `reply`, `usage: false` drops the usage, `status` fails the call."""
from __future__ import annotations

import base64
import io
import math
import struct
import wave

import mutagen
import orjson
from werkzeug.formparser import parse_form_data

from . import openai_wire
from .behaviour import DEFAULT_REPLY, DirectiveError, _parse_in_text

CONTENT_TYPES = {"mp3": "audio/mpeg", "opus": "audio/opus", "aac": "audio/aac", "flac": "audio/flac",
                 "wav": "audio/wav", "pcm": "audio/pcm"}
MAGIC = {"opus": b"OggS\x00\x02", "aac": b"\xff\xf1\x50\x80", "flac": b"fLaC\x00\x00\x00\x22"}
CHARACTERS_PER_SECOND = 15
SAMPLE_RATE = 8000
MP3_FRAME = b"\xff\xfb\x90\x00" + b"\x00" * 413  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz
TEXT_TYPE = "text/plain; charset=utf-8"
SSE = [("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache")]


def wav_bytes(seconds: float, rate: int = SAMPLE_RATE) -> bytes:
    """A mono 16-bit WAV of silence lasting `seconds` exactly (to the sample)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * round(seconds * rate))
    return out.getvalue()


def mp3_bytes(frames: int) -> bytes:
    return MP3_FRAME * frames


def speech_audio(text: str, fmt: str) -> bytes:
    """The audio the fake says `text` with, in `fmt`: deterministic, so tests compare bytes."""
    seconds = max(len(text), 1) / CHARACTERS_PER_SECOND
    if fmt == "wav":
        return wav_bytes(seconds)
    if fmt == "mp3":
        return mp3_bytes(max(1, math.ceil(seconds * 44100 / 1152)))
    pcm = struct.pack("<h", 0) * round(seconds * 24000)  # 24 kHz 16-bit mono, as OpenAI's pcm
    return MAGIC.get(fmt, b"") + pcm


def speech_usage(body: dict) -> dict:
    """gpt-4o-mini-tts's usage: text tokens in, audio tokens out."""
    words = len(body["input"].split()) + len((body.get("instructions") or "").split())
    output = 2 * len(body["input"])
    return {"input_tokens": words, "output_tokens": output, "total_tokens": words + output}


def transcribe_usage(seconds: float, text: str, prompt: str | None) -> dict:
    audio = math.ceil(seconds * 10)
    prompt_tokens = len((prompt or "").split())
    output = len(text.split())
    return {"type": "tokens", "input_tokens": audio + prompt_tokens, "output_tokens": output,
            "total_tokens": audio + prompt_tokens + output,
            "input_token_details": {"audio_tokens": audio, "text_tokens": prompt_tokens}}


def _directive(text) -> dict:
    found: list = []
    if isinstance(text, str):
        _parse_in_text(text, found)
    merged: dict = {}
    for d in found:
        merged.update(d)
    return merged


def _sse(event: dict) -> bytes:
    return b"data: " + orjson.dumps(event) + b"\n\n"


def _timestamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def _chunks(data: bytes, n: int) -> list[bytes]:
    size = max(1, math.ceil(len(data) / max(n, 1)))
    return [data[i:i + size] for i in range(0, len(data), size)]


def handle(app, environ, start_response, method, suffix, body, raw, rec, ctx):
    from .app import StreamBody  # the app imports this module

    if method != "POST":
        return app._error(start_response, "openai", 405, f"Method {method} not allowed on {suffix}")
    denied = app._check_key(environ, start_response, "openai")
    if denied is not None:
        return denied
    try:
        if suffix == "/v1/audio/speech":
            return _speech(app, start_response, body, ctx, StreamBody)
        return _transcribe(app, environ, start_response, suffix, raw, rec, ctx, StreamBody)
    except DirectiveError as exc:
        return app._error(start_response, "openai", 400, str(exc))


def _speech(app, start_response, body, ctx, StreamBody):
    if not isinstance(body, dict):
        return app._error(start_response, "openai", 400, "We could not parse the JSON body of your request.")
    for name in ("model", "input", "voice"):
        if not body.get(name):
            return app._error(start_response, "openai", 400, f"Missing required parameter: '{name}'.")
    plan = _directive(body["input"])
    if plan.get("status"):
        return app._json(start_response, plan["status"], openai_wire.error_body(plan["status"]))
    fmt = body.get("response_format") or "mp3"
    delay = float(plan.get("delay", 0.02))
    audio = speech_audio(body["input"], fmt)
    pieces = _chunks(audio, int(plan.get("chunks", 4)))

    def events():
        for i, piece in enumerate(pieces):
            if i and not ctx.wait(delay):
                ctx.abort()
                return
            if body.get("stream_format") == "sse":
                yield _sse({"type": "speech.audio.delta", "audio": base64.b64encode(piece).decode()})
            else:
                yield piece
        if body.get("stream_format") == "sse":
            done = {"type": "speech.audio.done"}
            if plan.get("usage", True) is not False:
                done["usage"] = speech_usage(body)
            yield _sse(done)

    headers = SSE if body.get("stream_format") == "sse" else [("Content-Type", CONTENT_TYPES.get(fmt, "audio/mpeg"))]
    start_response("200 OK", headers)
    return StreamBody(events(), ctx)


def _form(environ, raw):
    environ = {**environ, "wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw))}
    _stream, form, files = parse_form_data(environ)
    return form, files


def _transcribe(app, environ, start_response, suffix, raw, rec, ctx, StreamBody):
    form, files = _form(environ, raw)
    upload = files.get("file")
    data = upload.read() if upload is not None else b""
    rec["form"] = {name: (form.getlist(name) if name.endswith("[]") else form[name]) for name in form}
    rec["file"] = {"filename": upload.filename if upload else None, "size": len(data),
                   "content_type": upload.mimetype if upload else None}
    model = form.get("model")
    if not model or upload is None:
        missing = "model" if not model else "file"
        return app._error(start_response, "openai", 400, f"Missing required parameter: '{missing}'.")
    prompt = form.get("prompt")
    plan = _directive(prompt)
    if plan.get("status"):
        return app._json(start_response, plan["status"], openai_wire.error_body(plan["status"]))
    named = io.BytesIO(data)
    named.name = upload.filename or "audio"
    try:
        audio = mutagen.File(named)
        seconds = float(audio.info.length) if audio is not None else 0.0
    except Exception:
        seconds = 0.0
    if seconds <= 0:
        return app._error(start_response, "openai", 400, "Invalid file format. Supported formats: ['flac', 'm4a', "
                          "'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']")
    text = plan.get("reply", DEFAULT_REPLY)
    whisper = model.startswith("whisper")
    usage = {"type": "duration", "seconds": math.ceil(seconds)} if whisper else transcribe_usage(seconds, text, prompt)
    with_usage = plan.get("usage", True) is not False
    fmt = form.get("response_format") or "json"
    if form.get("stream") == "true" and not whisper:
        def events():
            for i, word in enumerate(text.split(" ")):
                if i and not ctx.wait(0.01):
                    ctx.abort()
                    return
                yield _sse({"type": "transcript.text.delta", "delta": word if i == 0 else " " + word})
            done = {"type": "transcript.text.done", "text": text}
            if with_usage:
                done["usage"] = usage
            yield _sse(done)
        start_response("200 OK", SSE)
        return StreamBody(events(), ctx)
    if fmt in ("text", "srt", "vtt"):
        if fmt == "text":
            out = text + "\n"
        elif fmt == "srt":
            out = f"1\n{_timestamp(0, ',')} --> {_timestamp(seconds, ',')}\n{text}\n\n"
        else:
            out = f"WEBVTT\n\n{_timestamp(0, '.')} --> {_timestamp(seconds, '.')}\n{text}\n\n"
        encoded = out.encode()
        start_response("200 OK", [("Content-Type", TEXT_TYPE), ("Content-Length", str(len(encoded)))])
        return [encoded]
    answer = {"text": text}
    if fmt == "verbose_json":
        task = "translate" if suffix.endswith("/translations") else "transcribe"
        answer = {"task": task, "language": "english" if task == "translate" else form.get("language") or "english",
                  "duration": seconds, "text": text,
                  "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": seconds, "text": text, "tokens": [50364],
                                "temperature": 0.0, "avg_logprob": -0.2, "compression_ratio": 1.0,
                                "no_speech_prob": 0.01}]}
        if "word" in form.getlist("timestamp_granularities[]"):
            words = text.split()
            step = seconds / max(len(words), 1)
            answer["words"] = [{"word": w, "start": round(i * step, 3), "end": round((i + 1) * step, 3)}
                               for i, w in enumerate(words)]
    if with_usage:
        answer["usage"] = usage
    return app._json(start_response, 200, orjson.dumps(answer))
