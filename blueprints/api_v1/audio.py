"""POST /v1/audio/speech, /v1/audio/transcriptions and /v1/audio/translations."""
from __future__ import annotations

from flask import current_app

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.relaying import relay
from blueprints.api_v1.uploads import read_form
from services.relay.doors import openai_audio_speech
from services.relay.doors.openai_audio_transcriptions import TRANSCRIPTIONS, TRANSLATIONS


@bp.post("/audio/speech")
@api_view(openai_audio_speech.DOOR)
def speech():
    return relay(openai_audio_speech.DOOR)


def _form_body() -> dict:
    """The form's fields, with the upload under "file" for the door."""
    fields, files = read_form(current_app.config["AUDIO_UPLOAD_MAX_BYTES"])
    body = dict(fields)
    if "file" in files:
        body["file"] = files["file"]
    return body


@bp.post("/audio/transcriptions")
@api_view(TRANSCRIPTIONS)
def transcriptions():
    return relay(TRANSCRIPTIONS, body=_form_body())


@bp.post("/audio/translations")
@api_view(TRANSLATIONS)
def translations():
    return relay(TRANSLATIONS, body=_form_body())
