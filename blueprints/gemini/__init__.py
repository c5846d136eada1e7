"""The Gemini door's routes: /v1beta/models (list and one model, from the
registry) and POST /v1beta/models/{model}:{action} for generateContent,
streamGenerateContent (?alt=sse: SSE; else one JSON array), countTokens
(answered locally, free), and embedContent / batchEmbedContents (the
embedding door, services/relay/doors/gemini_embeddings.py). google-genai 3.x given a base URL calls
/v1/models/{model}:generateContent: the POST forms are served under /v1 as
well (`bp_v1`); GET /v1/models stays the OpenAI list (blueprints/api_v1).

The path is read decoded, so `%3A` for the colon works like `:`. Errors are
Google's shape everywhere under these routes (blueprints/gemini/errors.py)."""
from flask import Blueprint

bp = Blueprint("gemini", __name__)        # at /v1beta
bp_v1 = Blueprint("gemini_v1", __name__)  # at /v1: the POST actions only

from blueprints.gemini import errors, views  # noqa: E402,F401  (routes register on import)
