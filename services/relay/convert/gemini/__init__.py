"""Gemini's generateContent <-> OpenAI chat (pure Python), for a Gemini
client (the google-genai SDK, Gemini CLI) on a channel that does not speak
Gemini: the request (request.py, contents.py, tools.py), the whole answer
(answer.py) and the stream (stream.py). The rules and why: docs/api.md
"Gemini"."""
from .answer import chat_to_gemini_answer, finish_reason_for
from .contents import ConversionError
from .request import GeminiState, gemini_to_chat_request
from .stream import GeminiFromChat

__all__ = ["ConversionError", "GeminiFromChat", "GeminiState", "chat_to_gemini_answer", "finish_reason_for",
           "gemini_to_chat_request"]
