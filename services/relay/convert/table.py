"""Every conversion between dialects, in one table keyed by (client dialect,
upstream dialect), and the plan that picks how a channel serves a call.

A channel serves a client's dialect directly when it speaks it (the request
and the events pass through), else through the first dialect it speaks for
which a converter exists. A converter turns the client's request into the
upstream's, the upstream's whole answer into the client's, and makes a
stream translator: upstream events in, client events out."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from services.catalog.dialects import speaks_of
from services.relay.adapters.base import StreamEvent, UpstreamError
from services.relay.dialects import openai_chat

from .anthropic_request import anthropic_to_openai_request
from .anthropic_response import openai_to_anthropic_message
from .anthropic_stream import AnthropicStreamWriter
from .completions import CompletionChunks, CompletionsConversionError, chat_to_completion_answer, \
    completions_to_chat_request
from .embeddings import EmbeddingRequestError, gemini_to_openai_request, openai_to_gemini_answer
from .errors import status_for_anthropic_error_type
from .gemini import ConversionError as GeminiConversionError
from .gemini import GeminiFromChat, chat_to_gemini_answer, gemini_to_chat_request
from .gemini_upstream import GeminiChunkTranslator, GeminiRequestError, chat_to_gemini_request, \
    gemini_to_chat_completion
from .openai_request import openai_to_anthropic_request
from .openai_response import OpenAIChunkWriter, UpstreamStreamError, anthropic_to_openai_completion
from .responses import (ChatChunksFromResponses, ConversionError, ResponsesStreamError, ResponsesStreamWriter,
                        chat_to_responses_answer, chat_to_responses_request, new_id, responses_to_chat_completion,
                        responses_to_chat_request)

DONE = b"data: [DONE]\n\n"

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

    def ping(self) -> list[StreamEvent]:
        return []  # the door's own keep-alive


PASSTHROUGH = Passthrough()


class _ChatFromEvents:
    """Named upstream events (Anthropic's, Responses') in, OpenAI chat
    chunks out, ending with `[DONE]` (usage always included; the chat door
    hides it unless asked). Subclasses make the writer and say how its
    failure reads as an UpstreamError."""

    failure: type = Exception

    def start(self) -> list[StreamEvent]:
        return []

    def feed(self, event: StreamEvent) -> list[StreamEvent]:
        data = event.chunk or {}
        try:
            chunks = self.writer.feed(data.get("type", ""), data)
        except self.failure as exc:
            raise self.upstream_error(exc) from None
        out = [StreamEvent(chunk) for chunk in chunks]
        if event.last:
            out.append(StreamEvent(None, DONE, last=True))
        return out

    def finish(self) -> list[StreamEvent]:
        return [StreamEvent(chunk) for chunk in self.writer.finish()] + [StreamEvent(None, DONE, last=True)]

    def ping(self) -> list[StreamEvent]:
        return []


class ChatFromAnthropic(_ChatFromEvents):
    failure = UpstreamStreamError

    def __init__(self, state, target: Target):
        self.writer = OpenAIChunkWriter(model=target.client_model, include_usage=True)

    @staticmethod
    def upstream_error(exc) -> UpstreamError:
        return UpstreamError(status_for_anthropic_error_type(exc.error_type), exc.message)


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

    def ping(self) -> list[StreamEvent]:
        return []


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


@dataclass(frozen=True)
class ResponsesState:
    """A Responses request converted to chat: its tools' kinds, and the id
    and time its answer will carry."""

    kinds: object
    response_id: str
    created_at: int
    request: dict


def _responses_to_chat_request(body: dict, target: Target):
    try:
        request, kinds = responses_to_chat_request(body, upstream_model=target.upstream_model,
                                                   max_output_tokens=target.max_output_tokens,
                                                   provider=target.provider)
    except ConversionError as exc:
        raise ConversionRefused(str(exc)) from None
    return request, ResponsesState(kinds, new_id("resp"), int(time.time()), body)


def _chat_to_responses_answer(completion: dict, state: ResponsesState, target: Target) -> dict:
    return chat_to_responses_answer(completion, state.kinds, response_id=state.response_id,
                                    model=target.client_model, created_at=state.created_at,
                                    usage=openai_chat.read_usage(completion.get("usage")), request=state.request)


class ResponsesFromChat:
    """OpenAI chat chunks from the upstream, Responses events to the client."""

    def __init__(self, state: ResponsesState, target: Target):
        self.writer = ResponsesStreamWriter(state.kinds, response_id=state.response_id, model=target.client_model,
                                            created_at=state.created_at, request=state.request)
        self.usage = None

    def start(self) -> list[StreamEvent]:
        return _typed(self.writer.start())

    def feed(self, event: StreamEvent) -> list[StreamEvent]:
        if event.last:
            return self.finish()
        chunk = event.chunk or {}
        if chunk.get("usage"):
            self.usage = openai_chat.read_usage(chunk["usage"])  # the meter's reader, so both agree
        return _typed(self.writer.feed(chunk))

    def finish(self) -> list[StreamEvent]:
        return _typed(self.writer.finish(self.usage))

    def ping(self) -> list[StreamEvent]:
        # Codex times out after 300 s without an event; SSE comments don't count.
        return _typed([self.writer.heartbeat()]) if self.writer.started else []


class ChatFromResponses(_ChatFromEvents):
    failure = ResponsesStreamError

    def __init__(self, state, target: Target):
        self.writer = ChatChunksFromResponses(model=target.client_model, include_usage=True)

    @staticmethod
    def upstream_error(exc) -> UpstreamError:
        return UpstreamError(502, exc.message)


def _chat_to_gemini_request(body: dict, target: Target) -> tuple[dict, None]:
    try:
        return chat_to_gemini_request(body, upstream_model=target.upstream_model,
                                      max_output_tokens=target.max_output_tokens), None
    except GeminiRequestError as exc:
        raise ConversionRefused(str(exc)) from None


def _completions_to_chat_request(body: dict, target: Target) -> tuple[dict, None]:
    try:
        return completions_to_chat_request(body, upstream_model=target.upstream_model,
                                           max_output_tokens=target.max_output_tokens), None
    except CompletionsConversionError as exc:
        raise ConversionRefused(str(exc)) from None


class CompletionsFromChat:
    """OpenAI chat chunks from the upstream, legacy completion chunks to the
    client, then `[DONE]`."""

    def __init__(self, state, target: Target):
        self.writer = CompletionChunks(model=target.client_model)

    def start(self) -> list[StreamEvent]:
        return []

    def feed(self, event: StreamEvent) -> list[StreamEvent]:
        if event.last:
            return [StreamEvent(None, DONE, last=True)]
        return [StreamEvent(chunk) for chunk in self.writer.feed(event.chunk or {})]

    def finish(self) -> list[StreamEvent]:
        return [StreamEvent(None, DONE, last=True)]

    def ping(self) -> list[StreamEvent]:
        return []


class ChatFromGemini:
    """Gemini chunks from the upstream, OpenAI chat chunks to the client.
    The Gemini stream has no terminal event of its own: its reader marks
    the end of a stream that finished (a chunk with finishReason, then EOF)
    with an empty `last` event."""

    def __init__(self, state, target: Target):
        self.writer = GeminiChunkTranslator(model=target.client_model)
        self.done = False

    def start(self) -> list[StreamEvent]:
        return []

    def feed(self, event: StreamEvent) -> list[StreamEvent]:
        out = [StreamEvent(chunk) for chunk in self.writer.feed(event.chunk)] if event.chunk else []
        return out + self.finish() if event.last else out

    def finish(self) -> list[StreamEvent]:
        if self.done:
            return []
        self.done = True
        return [StreamEvent(chunk) for chunk in self.writer.finish()] + [StreamEvent(None, DONE, last=True)]

    def ping(self) -> list[StreamEvent]:
        return []


def _typed(pairs) -> list[StreamEvent]:
    return [StreamEvent(data, last=name in ("response.completed", "response.incomplete", "response.failed"))
            for name, data in pairs]


class ConversionRefused(ValueError):
    """The client's request cannot be said in the upstream's dialect (the
    door answers 400 with the message)."""


def _gemini_to_chat_request(body: dict, target: Target):
    try:
        return gemini_to_chat_request(body, upstream_model=target.upstream_model,
                                      max_output_tokens=target.max_output_tokens, provider=target.provider)
    except GeminiConversionError as exc:
        raise ConversionRefused(str(exc)) from None


def _gemini_to_embeddings_request(body: dict, target: Target):
    """The Gemini embedding door's envelope (its wire body, with `batch`
    for batchEmbedContents) as an OpenAI embeddings request; the state is
    the batch flag, for the answer's shape."""
    batch = bool(body.get("batch"))
    try:
        return gemini_to_openai_request(body, upstream_model=target.upstream_model, batch=batch), batch
    except EmbeddingRequestError as exc:
        raise ConversionRefused(str(exc)) from None


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
    ("openai.responses", "openai.chat"): Converter(
        request=_responses_to_chat_request, answer=_chat_to_responses_answer, stream=ResponsesFromChat),
    ("openai.chat", "openai.responses"): Converter(
        request=lambda body, target: (chat_to_responses_request(
            body, upstream_model=target.upstream_model, max_output_tokens=target.max_output_tokens), None),
        answer=lambda response, _state, target: responses_to_chat_completion(response, model=target.client_model),
        stream=ChatFromResponses),
    ("gemini", "openai.chat"): Converter(
        request=_gemini_to_chat_request,
        answer=lambda completion, state, target: chat_to_gemini_answer(completion, state, model=target.client_model),
        stream=GeminiFromChat),
    ("openai.completions", "openai.chat"): Converter(
        request=_completions_to_chat_request,
        answer=lambda completion, _state, target: chat_to_completion_answer(completion, model=target.client_model),
        stream=CompletionsFromChat),
    ("openai.chat", "gemini"): Converter(
        request=_chat_to_gemini_request,
        answer=lambda answer, _state, target: gemini_to_chat_completion(answer, model=target.client_model),
        stream=ChatFromGemini),
    # Embeddings are never streamed: the translator is never made.
    ("gemini.embeddings", "openai.embeddings"): Converter(
        request=_gemini_to_embeddings_request,
        answer=lambda answer, batch, _target: openai_to_gemini_answer(answer, batch=batch),
        stream=lambda _state, _target: PASSTHROUGH),
}


class Chain:
    """Two converters through a middle dialect (OpenAI chat): a Responses
    client on an Anthropic channel goes Responses -> chat -> Anthropic."""

    def __init__(self, first: Converter, second: Converter):
        self.first, self.second = first, second

    def request(self, body: dict, target: Target):
        middle, first_state = self.first.request(body, target)
        upstream, second_state = self.second.request(middle, target)
        return upstream, (first_state, second_state)

    def answer(self, answer: dict, state, target: Target) -> dict:
        first_state, second_state = state
        return self.first.answer(self.second.answer(answer, second_state, target), first_state, target)

    def stream(self, state, target: Target):
        return ChainedStream(self.first.stream(state[0], target), self.second.stream(state[1], target))


class ChainedStream:
    def __init__(self, outer, inner):
        self.outer, self.inner = outer, inner  # outer: middle -> client; inner: upstream -> middle
        self.ended = False

    def _through(self, events: list[StreamEvent]) -> list[StreamEvent]:
        out = []
        for event in events:
            out += self.outer.feed(event)
            self.ended = self.ended or event.last
        return out

    def start(self) -> list[StreamEvent]:
        return self.outer.start() + self._through(self.inner.start())

    def feed(self, event: StreamEvent) -> list[StreamEvent]:
        return self._through(self.inner.feed(event))

    def finish(self) -> list[StreamEvent]:
        out = self._through(self.inner.finish())
        return out if self.ended else out + self.outer.finish()

    def ping(self) -> list[StreamEvent]:
        return self.outer.ping()


PIVOT = "openai.chat"


def converter(client: str, upstream: str):
    """The converter from `client` to `upstream`, direct or through chat."""
    direct = CONVERTERS.get((client, upstream))
    if direct is not None:
        return direct
    first, second = CONVERTERS.get((client, PIVOT)), CONVERTERS.get((PIVOT, upstream))
    if first is not None and second is not None:
        return Chain(first, second)
    return None


def speaks(channel) -> tuple[str, ...]:
    """The dialects the channel's upstream serves, as the operator said, or
    its provider kind's default."""
    return tuple(getattr(channel, "speaks", None) or speaks_of(channel.provider, None))


def plan(client_dialect: str, channel):
    """(upstream dialect, converter or None for a pass-through), or None when
    the channel cannot serve this dialect at all."""
    spoken = speaks(channel)
    if client_dialect in spoken:
        return client_dialect, None
    for dialect in spoken:
        found = converter(client_dialect, dialect)
        if found is not None:
            return dialect, found
    return None
