"""Legacy completions on a chat upstream: the prompt as one user message,
`text` back, and a 400 for what chat cannot emulate."""
from __future__ import annotations

import pytest

from services.relay.adapters.base import StreamEvent
from services.relay.convert.completions import CompletionsConversionError, chat_to_completion_answer, \
    completions_to_chat_request
from services.relay.convert.table import CompletionsFromChat, Target


def convert(**body):
    return completions_to_chat_request({"model": "m", **body}, upstream_model="up", max_output_tokens=16)


def test_the_prompt_is_one_user_message():
    assert convert(prompt="Once upon", temperature=0.5, stop=["\n"], stream=True) == {
        "model": "up", "messages": [{"role": "user", "content": "Once upon"}], "max_tokens": 16,
        "temperature": 0.5, "stop": ["\n"], "stream": True, "stream_options": {"include_usage": True}}
    assert convert(prompt=["only one"])["messages"] == [{"role": "user", "content": "only one"}]


@pytest.mark.parametrize("extra", [{"suffix": "end"}, {"echo": True}, {"logprobs": 2}, {"logprobs": 0},
                                   {"best_of": 2}, {"prompt": ["a", "b"]}, {"prompt": [1, 2, 3]}])
def test_what_chat_cannot_emulate_is_refused(extra):
    with pytest.raises(CompletionsConversionError):
        convert(**{"prompt": "x", **extra})


def test_harmless_defaults_are_not_refused():
    assert convert(prompt="x", echo=False, best_of=1, suffix="", logprobs=None)["messages"]


def test_answer_content_becomes_text():
    out = chat_to_completion_answer({"created": 5, "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "length"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}, model="client")
    assert out["object"] == "text_completion" and out["id"].startswith("cmpl-") and out["model"] == "client"
    assert out["choices"] == [{"text": "Hi", "index": 0, "logprobs": None, "finish_reason": "length"}]
    assert out["usage"]["total_tokens"] == 4


def test_stream_chunks_become_text_chunks_then_done():
    translator = CompletionsFromChat(None, Target(upstream_model="up", client_model="c", max_output_tokens=16))
    events = []
    for data in ({"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
                 {"choices": [{"index": 0, "delta": {"content": "Hi"}}]},
                 {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                 {"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}):
        events += translator.feed(StreamEvent(data))
    events += translator.feed(StreamEvent(None, b"data: [DONE]\n\n", last=True))
    chunks = [e.chunk for e in events[:-1]]
    assert [c["choices"] for c in chunks] == [[{"text": "Hi", "index": 0, "logprobs": None, "finish_reason": None}],
                                             [{"text": "", "index": 0, "logprobs": None, "finish_reason": "stop"}],
                                             []]
    assert chunks[-1]["usage"]["total_tokens"] == 2 and all(c["object"] == "text_completion" for c in chunks)
    assert events[-1].last
