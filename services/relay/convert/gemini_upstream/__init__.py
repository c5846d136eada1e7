"""OpenAI chat <-> Google Gemini (generateContent), for chat clients (and,
through chat, every other door) on a Gemini channel. Pure Python; the rules
are docs/protocols.md "Gemini upstreams"."""
from .request import SKIP_SIGNATURE, GeminiRequestError, chat_to_gemini_request
from .response import finish_reason_for, gemini_to_chat_completion
from .stream import GeminiChunkTranslator

__all__ = ["GeminiChunkTranslator", "GeminiRequestError", "SKIP_SIGNATURE", "chat_to_gemini_request",
           "finish_reason_for", "gemini_to_chat_completion"]
