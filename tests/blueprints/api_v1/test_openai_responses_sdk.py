"""The official openai SDK's Responses API (`client.responses`) against Tollgate,
converted for a chat-only channel on the fake upstream: text and tool calls,
streamed and not, the `responses.stream()` helper, errors in OpenAI's shape,
on /v1 and /api/v1, billed exactly prices x usage."""
from __future__ import annotations

import json

import openai
import pytest
import requests
from openai import OpenAI

from tests.blueprints.api_v1.conftest import PRICED
from tests.fakes.upstream_client import directive

CREDITS = 10_000_000
WEATHER = {"type": "function", "name": "get_weather", "description": "Weather in a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                          "additionalProperties": False}, "strict": True}


def exact_cost(prompt: int, completion: int) -> int:
    micro = prompt * PRICED["input_price"] + completion * PRICED["output_price"]
    return -(-micro // 1_000_000) + PRICED["request_price"]


@pytest.fixture(params=["/v1", "/api/v1"])
def base(request):
    return request.param


@pytest.fixture
def client_for(stack):
    def make(base: str = "/v1", credits: int = CREDITS):
        raw, _, account_id = stack.new_key(credits)
        return OpenAI(api_key=raw, base_url=stack.url + base, max_retries=0, timeout=30), account_id
    return make


def assert_usage(usage, prompt: int, completion: int):
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (prompt, completion, prompt + completion)
    assert usage.input_tokens_details.cached_tokens == 0
    assert usage.output_tokens_details.reasoning_tokens == 0
    assert usage.model_extra["credits"] == exact_cost(prompt, completion)


def assert_charged(stack, account: int, *costs: int):
    logs = stack.logs(account)
    assert [(log.status, log.model, log.credits) for log in logs] == [(200, "fake-model", c) for c in costs]
    assert stack.balance(account) == CREDITS - sum(costs)
    assert stack.verify() == []


def test_create_answers_and_charges_exactly(stack, upstream, client_for, base):
    client, account = client_for(base)
    text = "hello " + directive(reply="Bonjour tout le monde", usage={"prompt_tokens": 17, "completion_tokens": 4})
    response = client.responses.create(model="fake-model", instructions="Be brief.", input=text)
    assert response.id.startswith("resp_") and response.object == "response" and response.status == "completed"
    assert response.output_text == "Bonjour tout le monde"
    [message] = response.output
    assert (message.type, message.role, message.content[0].type) == ("message", "assistant", "output_text")
    assert_usage(response.usage, 17, 4)
    sent = upstream.last_request()
    assert sent["path"] == "/v1/chat/completions"
    assert sent["body"]["messages"][0] == {"role": "system", "content": "Be brief."}
    assert sent["body"]["messages"][-1]["role"] == "user"
    assert_charged(stack, account, exact_cost(17, 4))


def test_create_stream_sends_the_whole_event_sequence(stack, upstream, client_for, base):
    client, account = client_for(base)
    text = directive(reply="one two three four five", chunks=5, usage={"prompt_tokens": 9, "completion_tokens": 5})
    events = list(client.responses.create(model="fake-model", input=text, stream=True))
    types = [e.type for e in events]
    assert types[:2] == ["response.created", "response.in_progress"] and types[-1] == "response.completed"
    for kind in ("response.output_item.added", "response.content_part.added", "response.output_text.done",
                 "response.content_part.done", "response.output_item.done"):
        assert types.count(kind) == 1, types
    assert types.index("response.content_part.added") < types.index("response.output_text.delta")
    assert [e.sequence_number for e in events] == sorted(e.sequence_number for e in events)
    assert len({e.sequence_number for e in events}) == len(events)
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "one two three four five"
    assert events[0].response.status == "in_progress"
    done = events[-1].response
    assert done.id == events[0].response.id and done.status == "completed"
    assert done.output_text == "one two three four five"
    assert_usage(done.usage, 9, 5)
    assert upstream.last_request()["body"]["stream"] is True
    assert_charged(stack, account, exact_cost(9, 5))


def test_stream_helper_gives_the_final_response(stack, upstream, client_for):
    client, account = client_for()
    text = directive(reply="streamed with the helper", usage={"prompt_tokens": 12, "completion_tokens": 4})
    with client.responses.stream(model="fake-model", input=[{"role": "user", "content": text}]) as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == "streamed with the helper"
    assert final.output_text == "streamed with the helper"
    assert_usage(final.usage, 12, 4)
    assert_charged(stack, account, exact_cost(12, 4))


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_function_tool_round_trip(stack, upstream, client_for, stream):
    client, account = client_for()
    ask = "Weather in Paris? " + directive(reply="", tools=[{"name": "get_weather", "arguments": {"city": "Paris"}}],
                                           usage={"prompt_tokens": 20, "completion_tokens": 3})
    history = [{"role": "user", "content": ask}]
    if stream:
        with client.responses.stream(model="fake-model", input=history, tools=[WEATHER]) as s:
            types = [e.type for e in s]
            first = s.get_final_response()
        assert "response.function_call_arguments.done" in types and types[-1] == "response.completed"
    else:
        first = client.responses.create(model="fake-model", input=history, tools=[WEATHER])
    [call] = first.output
    assert (call.type, call.name, json.loads(call.arguments)) == ("function_call", "get_weather", {"city": "Paris"})
    assert call.call_id
    tools = upstream.last_request()["body"]["tools"]
    [tool] = tools  # flat Responses tool -> nested chat tool
    assert tool["type"] == "function" and tool["function"]["name"] == "get_weather"
    assert tool["function"]["parameters"] == WEATHER["parameters"]

    # The tool's output carries the second turn's directive (later directives win).
    result = "sunny " + directive(reply="It is sunny in Paris.", tools=[],
                                  usage={"prompt_tokens": 30, "completion_tokens": 6})
    history.append({"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments})
    history.append({"type": "function_call_output", "call_id": call.call_id, "output": result})
    second = client.responses.create(model="fake-model", input=history, tools=[WEATHER])
    assert second.output_text == "It is sunny in Paris."
    messages = upstream.last_request()["body"]["messages"]
    assistant = [m for m in messages if m["role"] == "assistant"]
    assert [c["function"]["name"] for c in assistant[-1]["tool_calls"]] == ["get_weather"]
    [output] = [m for m in messages if m["role"] == "tool"]
    assert output["tool_call_id"] == assistant[-1]["tool_calls"][0]["id"] and "sunny" in json.dumps(output["content"])
    assert_usage(second.usage, 30, 6)
    assert_charged(stack, account, exact_cost(20, 3), exact_cost(30, 6))


def test_unknown_model_is_a_404_in_openai_shape(stack, upstream, client_for, base):
    client, account = client_for(base)
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.create(model="no-such-model", input="hi")
    assert caught.value.status_code == 404 and caught.value.code == "model_not_available"
    assert set(caught.value.body) >= {"message", "type", "code"}
    with pytest.raises(openai.NotFoundError):  # the streamed request fails before any event, the same way
        client.responses.create(model="no-such-model", input="hi", stream=True)
    assert upstream.stats()["calls"] == 0
    assert stack.logs(account) == [] or all(log.credits == 0 for log in stack.logs(account))
    assert stack.balance(account) == CREDITS


def test_bad_bodies_are_400_in_openai_shape(stack, upstream, client_for, base):
    client, account = client_for(base)
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model="fake-model", input=42)  # neither a string nor a list of items
    assert caught.value.status_code == 400 and caught.value.body["message"]
    raw = requests.post(stack.url + base + "/responses", data=b"{not json",
                        headers={"Authorization": f"Bearer {client.api_key}", "Content-Type": "application/json"},
                        timeout=10)
    assert raw.status_code == 400, raw.text
    error = raw.json()["error"]
    assert error["message"] and error["type"] == error["code"] == "invalid_request"  # the house shape: type and code alike
    assert upstream.stats()["calls"] == 0
    assert stack.balance(account) == CREDITS
