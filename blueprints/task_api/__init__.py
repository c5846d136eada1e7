"""The task protocols served at the root, as their clients call them:
Midjourney (/mj/...), Suno (/suno/...), Kling (/kling/v1/...), Jimeng
(/jimeng/...). Each view binds its door (services/relay/doors), whose key
headers and error shape apply (blueprints/api_v1/auth.py api_view); the
tasks themselves are services/tasks. OpenAI videos and image tasks live
under /v1 (blueprints/api_v1)."""
from flask import Blueprint

bp = Blueprint("task_api", __name__)

from blueprints.task_api import errors  # noqa: E402,F401  (routes register on import)
from blueprints.task_api import jimeng, kling, mj, suno  # noqa: E402,F401
