"""The API doors under /v1 (and the same under /api/v1)."""
from flask import Blueprint

bp = Blueprint("api_v1", __name__)

from blueprints.api_v1 import account, audio, chat, completions, embeddings, errors, images, messages, \
    moderations, realtime, rerank, responses, videos, image_tasks  # noqa: E402,F401  (routes register on import)
