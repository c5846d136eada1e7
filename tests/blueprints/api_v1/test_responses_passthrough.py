"""Channels whose upstream speaks the Responses API, on the fake upstream's
/v1/responses:

- a Responses client on a channel speaking "openai.chat,openai.responses" is
  passed through: the upstream gets the client's request (model renamed when
  the channel maps it) on /v1/responses, its events come back in its order
  with its sequence numbers, and the final usage is the upstream's plus the
  credits charged;
- a chat client on a channel speaking only "openai.responses" is converted
  chat -> Responses and back, tool calls included.

Billed exactly prices x usage (conftest.PRICED)."""
from __future__ import annotations

import json

import pytest
import requests
from openai import OpenAI

from tests.blueprints.api_v1.conftest import PRICED
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack

CREDITS = 10_000_000
PAD = "pad " * 200  # the prompt bound covers the usage the upstream reports
WEATHER = {"type": "function", "name": "get_weather", "description": "Weather in a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                          "additionalProperties": False}, "strict": True}
CHAT_WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


def exact_cost(prompt: int, completion: int) -> int:
    micro = prompt * PRICED["input_price"] + completion * PRICED["output_price"]
    return -(-micro // 1_000_000) + PRICED["request_price"]


@pytest.fixture(scope="module")
def rstack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="responses-passthrough")
    for model in ("resp-model", "resp-mapped", "chat-on-resp"):
        stack.set_model(model, max_output_tokens=1000, capabilities=["chat", "tools"], **PRICED)
    stack.add_channel("both", fake_upstream.base_url_v1, ["resp-model", "resp-mapped"],
                      model_map={"resp-mapped": "resp-upstream-name"}, speaks="openai.chat,openai.responses")
    stack.add_channel("responses-only", fake_upstream.base_url_v1, ["chat-on-resp"], speaks="openai.responses")
    yield stack
    stack.stop()


@pytest.fixture
def client_for(rstack):
    def make():
        raw, _, account = rstack.new_key(CREDITS)
        return OpenAI(api_key=raw, base_url=rstack.base_url, max_retries=0, timeout=30), account
    return make


def upstream_usage(prompt: int, completion: int, reasoning: int = 0) -> dict:
    """The usage object the fake reports for these overrides."""
    return {"input_tokens": prompt, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": completion, "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": prompt + completion}


def assert_charged(stack, account: int, model: str, *costs: int):
    logs = stack.logs(account)
    assert [(log.status, log.model, log.credits) for log in logs] == [(200, model, c) for c in costs]
    assert stack.balance(account) == CREDITS - sum(costs)
    assert stack.verify() == []


def the_request(**extra) -> dict:
    """A Responses request with fields a converter would drop or rewrite."""
    return {"instructions": "Be brief.", "tools": [WEATHER], "tool_choice": "auto", "temperature": 0.25,
            "metadata": {"trace": "t-1"}, "store": False, "parallel_tool_calls": False,
            "input": [{"role": "user", "content": [{"type": "input_text", "text": PAD}]},
                      {"type": "message", "role": "user", "content": [
                          {"type": "input_text", "text": extra.pop("say")}]}],
            **extra}


def sent_to_upstream(upstream, model: str, stream: bool) -> dict:
    [sent] = upstream.requests()
    assert sent["path"] == "/v1/responses"
    assert upstream.stats()["by_path"] == {"/v1/responses": 1}
    body = sent["body"]
    want = the_request(say=body["input"][1]["content"][0]["text"])
    if stream:
        want["stream"] = True
    assert body.pop("model") == model
    body.pop("max_output_tokens", None)  # the relay may bound it to the model's limit
    assert body == want  # every other field as the client sent it
    return sent


@pytest.mark.parametrize("model, upstream_model", [("resp-model", "resp-model"),
                                                    ("resp-mapped", "resp-upstream-name")])
def test_create_is_passed_through(rstack, upstream, client_for, model, upstream_model):
    client, account = client_for()
    say = "Weather? " + directive(reply="Let me check.", reasoning="think first",
                                  tools=[{"name": "get_weather", "arguments": {"city": "Paris"}}],
                                  usage={"input_tokens": 40, "output_tokens": 9, "reasoning_tokens": 2})
    response = client.responses.create(model=model, **the_request(say=say))
    sent_to_upstream(upstream, upstream_model, stream=False)
    assert response.id.startswith("resp_") and response.status == "completed"
    assert response.model == model  # the client's name back
    assert [item.type for item in response.output] == ["reasoning", "message", "function_call"]
    assert response.output_text == "Let me check."
    call = response.output[2]
    assert (call.name, json.loads(call.arguments)) == ("get_weather", {"city": "Paris"})
    assert (response.instructions, response.temperature, response.metadata) == ("Be brief.", 0.25, {"trace": "t-1"})
    usage = response.usage.model_dump()
    credits = usage.pop("credits")
    usage["input_tokens_details"].pop("cache_write_tokens_details", None)  # an SDK default, not on the wire
    assert usage == upstream_usage(40, 9, 2)
    assert credits == exact_cost(40, 9)
    assert_charged(rstack, account, model, exact_cost(40, 9))


@pytest.mark.parametrize("model, upstream_model", [("resp-model", "resp-model"),
                                                    ("resp-mapped", "resp-upstream-name")])
def test_stream_is_passed_through_in_the_upstreams_order(rstack, upstream, client_for, model, upstream_model):
    client, account = client_for()
    say = "Weather? " + directive(reply="one two three", reasoning="hmm", arg_chunks=2,
                                  tools=[{"name": "get_weather", "arguments": {"city": "Oslo"}}],
                                  usage={"input_tokens": 33, "output_tokens": 7, "reasoning_tokens": 1})
    events = list(client.responses.create(model=model, stream=True, **the_request(say=say)))
    sent_to_upstream(upstream, upstream_model, stream=True)

    # The same request straight to the fake upstream: the events it sends.
    direct = requests.post(upstream.base_url_v1 + "/responses", timeout=30, stream=True,
                           json={**the_request(say=say), "model": upstream_model, "stream": True})
    raw = [json.loads(line[6:]) for line in direct.iter_lines() if line.startswith(b"data: ")]
    assert [(e.type, e.sequence_number) for e in events] == [(e["type"], e["sequence_number"]) for e in raw]
    assert [e.sequence_number for e in events] == list(range(len(events)))  # the upstream's numbers
    assert "response.in_progress" in [e.type for e in events]
    deltas = [getattr(e, "delta", None) for e in events]
    assert deltas == [e.get("delta") for e in raw]

    ids = {e.response.id for e in events if hasattr(e, "response")}
    assert len(ids) == 1  # one response id throughout: the upstream's
    done = events[-1]
    assert done.type == "response.completed" and done.response.model == model
    assert [i.type for i in done.response.output] == ["reasoning", "message", "function_call"]
    assert done.response.output_text == "one two three"
    usage = done.response.usage.model_dump()
    credits = usage.pop("credits")
    usage["input_tokens_details"].pop("cache_write_tokens_details", None)
    assert usage == upstream_usage(33, 7, 1) == raw[-1]["response"]["usage"]
    assert credits == exact_cost(33, 7)
    assert_charged(rstack, account, model, exact_cost(33, 7))


def test_chat_client_on_a_responses_only_channel(rstack, upstream, client_for):
    client, account = client_for()
    say = PAD + directive(reply="", tools=[{"name": "get_weather", "arguments": {"city": "Rome"}}],
                          usage={"input_tokens": 25, "output_tokens": 4})
    completion = client.chat.completions.create(
        model="chat-on-resp", tools=[CHAT_WEATHER],
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": say}])
    [sent] = upstream.requests()
    assert sent["path"] == "/v1/responses"
    body = sent["body"]
    assert body["model"] == "chat-on-resp" and body["instructions"] == "Be brief." and "messages" not in body
    assert body["input"][-1]["role"] == "user"
    [tool] = body["tools"]  # nested chat tool -> flat Responses tool
    assert (tool["type"], tool["name"]) == ("function", "get_weather")
    assert tool["parameters"] == CHAT_WEATHER["function"]["parameters"]

    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls
    assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {"city": "Rome"})
    assert call.id.startswith("call_")
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (25, 4)
    assert completion.usage.model_extra["credits"] == exact_cost(25, 4)

    # The second turn carries the tool's result back, as a function_call_output.
    upstream.reset()
    result = "sunny " + directive(reply="Sunny in Rome.", tools=[], usage={"input_tokens": 30, "output_tokens": 3})
    answer = client.chat.completions.create(
        model="chat-on-resp", tools=[CHAT_WEATHER],
        messages=[{"role": "user", "content": say}, choice.message.model_dump(exclude_none=True),
                  {"role": "tool", "tool_call_id": call.id, "content": result}])
    items = upstream.last_request()["body"]["input"]
    assert [i.get("type") for i in items] == ["message", "function_call", "function_call_output"]
    assert items[1]["call_id"] == items[2]["call_id"] == call.id
    assert answer.choices[0].message.content == "Sunny in Rome." and answer.choices[0].finish_reason == "stop"
    assert answer.usage.model_extra["credits"] == exact_cost(30, 3)
    assert_charged(rstack, account, "chat-on-resp", exact_cost(25, 4), exact_cost(30, 3))


def test_chat_stream_on_a_responses_only_channel(rstack, upstream, client_for):
    client, account = client_for()
    say = PAD + directive(reply="Checking now.", tools=[{"name": "get_weather", "arguments": {"city": "Rome"}}],
                          usage={"input_tokens": 21, "output_tokens": 6})
    chunks = list(client.chat.completions.create(
        model="chat-on-resp", tools=[CHAT_WEATHER], stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": say}]))
    sent = upstream.last_request()
    assert sent["path"] == "/v1/responses" and sent["body"]["stream"] is True
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Checking now."
    names = [tc.function.name for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or []
             if tc.function and tc.function.name]
    args = "".join(tc.function.arguments or "" for c in chunks if c.choices
                   for tc in c.choices[0].delta.tool_calls or [] if tc.function)
    assert names == ["get_weather"] and json.loads(args) == {"city": "Rome"}
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["tool_calls"]
    [usage] = [c.usage for c in chunks if c.usage]
    assert (usage.prompt_tokens, usage.completion_tokens) == (21, 6)
    assert usage.model_extra["credits"] == exact_cost(21, 6)
    assert_charged(rstack, account, "chat-on-resp", exact_cost(21, 6))
