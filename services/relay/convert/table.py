"""Every conversion between dialects, in one table keyed by (client dialect,
upstream dialect), and the plan that picks how a channel serves a call.

A channel serves a client's dialect directly when it speaks it (the request
and the events pass through), else through the first dialect it speaks for
which a converter exists. A converter turns the client's request into the
upstream's, the upstream's whole answer into the client's, and makes a
stream translator: upstream events in, client events out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from services.relay.adapters.base import StreamEvent, UpstreamError

from .anthropic_request import anthropic_to_openai_request
from .anthropic_response import openai_to_anthropic_message
from .anthropic_stream import AnthropicStreamWriter
from .errors import status_for_anthropic_error_type
from .openai_request import openai_to_anthropic_request
from .openai_response import OpenAIChunkWriter, UpstreamStreamError, anthropic_to_openai_completion

DONE = b"data: [DONE]\n\n"

# What each provider kind speaks when the operator has not said.
DEFAULT_SPEAKS = {"openai": ("openai.chat",), "anthropic": ("anthropic.messages",), "demo": ("openai.chat",)}


@dataclass(frozen=True)
class Target:
    """What a converter needs to know about where a request goes."""

    upstream_model: str
    client_model: str
    max_output_tokens: int | None  # the output limit to send
    provider: str = "openai"       # the OpenAI-compatible flavour, for its quirks
    prompt_estimate: int = 0


class Passthrough:
    """Same dialect on both sides: events go through as they came."""

    def start(self) -> list[StreamEvent]:
        return []

    def feed(self, event: StreamEvent) -> list[StreamEvent]:
        return [event]

    def finish(self) -> list[StreamEvent]:
        return []


PASSTHROUGH = Passthrough()


class ChatFromAnthropic:
    """Anthropic events from the upstream, OpenAI chat chunks to the client
    (usage always included; the chat door hides it unless asked)."""

    def __init__(self, state, target: Target):
        self.writer = OpenAIChunkWriter(model=target.client_model, include_usage=True)

    def start(self) -> list[StreamEvent]:
        return []

    def feed(self, event: StreamEvent) -> list[StreamEvent]:
        data = event.chunk or {}
        try:
            chunks = self.writer.feed(data.get("type", ""), data)
        except UpstreamStreamError as exc:
            raise UpstreamError(status_for_anthropic_error_type(exc.error_type), exc.message) from None
        out = [StreamEvent(chunk) for chunk in chunks]
        if event.last:
            out.append(StreamEvent(None, DONE, last=True))
        return out

    def finish(self) -> list[StreamEvent]:
        return [StreamEvent(chunk) for chunk in self.writer.finish()] + [StreamEvent(None, DONE, last=True)]


class AnthropicFromChat:
    """OpenAI chat chunks from the upstream, Anthropic events to the client."""

    def __init__(self, tool_names, target: Target):
        self.writer = AnthropicStreamWriter(model=target.client_model,
                                            input_tokens_estimate=target.prompt_estimate, tool_names=tool_names)

    def start(self) -> list[StreamEvent]:
        # message_start at once: the client sees the stream open (and pings)
        # while a reasoning model is still silent.
        return _events(self.writer.start())

    def feed(self, event: StreamEvent) -> list[StreamEvent]:
        if event.last:
            return self.finish()
        return _events(self.writer.feed(event.chunk or {}))

    def finish(self) -> list[StreamEvent]:
        return _events(self.writer.finish())


def _events(pairs) -> list[StreamEvent]:
    return [StreamEvent(data, last=data.get("type") == "message_stop") for _name, data in pairs]


@dataclass(frozen=True)
class Converter:
    request: Callable[[dict, Target], tuple[dict, object]]  # client body -> (upstream body, state)
    answer: Callable[[dict, object, Target], dict]           # upstream answer -> client answer
    stream: Callable[[object, Target], object]               # (state, target) -> stream translator


def _chat_to_anthropic_request(body: dict, target: Target) -> tuple[dict, None]:
    return openai_to_anthropic_request(body, upstream_model=target.upstream_model,
                                       max_output_tokens=target.max_output_tokens), None


def _anthropic_to_chat_request(body: dict, target: Target):
    return anthropic_to_openai_request(body, upstream_model=target.upstream_model,
                                       max_output_tokens=target.max_output_tokens, provider=target.provider)


CONVERTERS: dict[tuple[str, str], Converter] = {
    ("openai.chat", "anthropic.messages"): Converter(
        request=_chat_to_anthropic_request,
        answer=lambda message, _state, target: anthropic_to_openai_completion(message, model=target.client_model),
        stream=ChatFromAnthropic),
    ("anthropic.messages", "openai.chat"): Converter(
        request=_anthropic_to_chat_request,
        answer=lambda completion, names, target: openai_to_anthropic_message(
            completion, model=target.client_model, tool_names=names),
        stream=AnthropicFromChat),
}


def speaks(channel) -> tuple[str, ...]:
    """The dialects the channel's upstream serves, as the operator said, or
    its provider kind's default."""
    return tuple(getattr(channel, "speaks", None) or DEFAULT_SPEAKS.get(channel.provider, ()))


def plan(client_dialect: str, channel) -> tuple[str, Converter | None] | None:
    """(upstream dialect, converter or None for a pass-through), or None when
    the channel cannot serve this dialect at all."""
    spoken = speaks(channel)
    if client_dialect in spoken:
        return client_dialect, None
    for dialect in spoken:
        converter = CONVERTERS.get((client_dialect, dialect))
        if converter is not None:
            return dialect, converter
    return None
