"""OpenAI Responses <-> OpenAI chat completions conversion (pure Python).

Responses clients (Codex CLI, the Agents SDK) on chat-only channels, and
chat clients on Responses-only channels. The rules: docs/protocols.md §6."""
from .answer import chat_to_responses_answer
from .common import ConversionError, counting_ids, id_source, new_id
from .request import responses_to_chat_request
from .reverse_answer import ChatChunksFromResponses, ResponsesStreamError, responses_to_chat_completion
from .reverse_request import chat_to_responses_request
from .stream import ResponsesStreamWriter, format_event
from .tools import ToolKinds

__all__ = [
    "ChatChunksFromResponses",
    "ConversionError",
    "ResponsesStreamError",
    "ResponsesStreamWriter",
    "ToolKinds",
    "chat_to_responses_answer",
    "chat_to_responses_request",
    "counting_ids",
    "format_event",
    "id_source",
    "new_id",
    "responses_to_chat_completion",
    "responses_to_chat_request",
]
