"""Anthropic Messages <-> OpenAI Chat Completions conversion (pure Python).

Inside Tollgate the OpenAI chat shapes are the lingua franca; these
functions translate at the edges. The rules, and why each one is there:
docs/protocols.md.
"""
from .anthropic_request import ToolNames, anthropic_to_openai_request
from .anthropic_response import AnthropicStreamWriter, format_sse, openai_to_anthropic_message
from .count_tokens import count_tokens
from .errors import anthropic_error_body, anthropic_error_type, status_for_anthropic_error_type
from .openai_request import openai_to_anthropic_request
from .openai_response import OpenAIChunkWriter, UpstreamStreamError, anthropic_to_openai_completion
from .tool_args import parse_tool_arguments
from .usage import anthropic_usage_to_openai, openai_usage_to_anthropic

__all__ = [
    "AnthropicStreamWriter",
    "OpenAIChunkWriter",
    "ToolNames",
    "UpstreamStreamError",
    "anthropic_error_body",
    "anthropic_error_type",
    "anthropic_to_openai_completion",
    "anthropic_to_openai_request",
    "anthropic_usage_to_openai",
    "count_tokens",
    "format_sse",
    "openai_to_anthropic_message",
    "openai_to_anthropic_request",
    "openai_usage_to_anthropic",
    "parse_tool_arguments",
    "status_for_anthropic_error_type",
]
