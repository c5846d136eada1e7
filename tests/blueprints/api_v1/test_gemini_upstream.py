"""A Gemini channel (provider kind "gemini", the fake upstream's
/v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse):

- an openai SDK chat client is converted chat -> Gemini and back, streamed
  and not, tool calls included, the thought signature carried to the next
  turn through `extra_content.google.thought_signature`;
- an anthropic SDK client goes messages -> chat -> Gemini (a chain);
- the upstream gets the channel's key in x-goog-api-key, the model in the
  URL and not in the body; usageMetadata (thoughts, cached content,
  tool-use prompt) is what is billed, exactly."""
from __future__ import annotations

import json

import anthropic
import pytest
from google import genai
from google.genai import types
from openai import OpenAI

from tests.blueprints.api_v1.conftest import PRICED
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack

CREDITS = 10_000_000
PAD = "pad " * 200
GEMINI_KEY = "AIzaSy-fake-gemini-key-0123456789"
UPSTREAM_MODEL = "gemini-2.5-flash"
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
# 40 prompt tokens (4 of them a tool-use prompt), 12 read from the cache; 2
# answer tokens and 3 thinking ones: billed 44 in, 5 out.
USAGE = {"promptTokenCount": 40, "toolUsePromptTokenCount": 4, "cachedContentTokenCount": 12,
         "candidatesTokenCount": 2, "thoughtsTokenCount": 3}


def exact_cost(prompt: int, completion: int) -> int:
    micro = prompt * PRICED["input_price"] + completion * PRICED["output_price"]
    return -(-micro // 1_000_000) + PRICED["request_price"]


@pytest.fixture(scope="module")
def gstack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="gemini-upstream")
    stack.set_model("gem", max_output_tokens=1000, capabilities=["chat", "tools"], **PRICED)
    stack.add_channel("gemini", fake_upstream.url + "/v1beta", ["gem"], provider="gemini", api_key=GEMINI_KEY,
                      model_map={"gem": UPSTREAM_MODEL})
    yield stack
    stack.stop()


@pytest.fixture
def account_client(gstack):
    raw, _, account = gstack.new_key(CREDITS)
    return OpenAI(api_key=raw, base_url=gstack.base_url, max_retries=0, timeout=30), account, raw


def assert_charged(stack, account: int, *costs: int):
    logs = stack.logs(account)
    assert [(log.status, log.model, log.credits) for log in logs] == [(200, "gem", c) for c in costs]
    assert stack.balance(account) == CREDITS - sum(costs)
    assert stack.verify() == []


def the_upstream_call(upstream, stream: bool) -> dict:
    last = upstream.last_request()
    action = "streamGenerateContent" if stream else "generateContent"
    assert last["path"] == f"/v1beta/models/{UPSTREAM_MODEL}:{action}"
    assert last["query"] == ("alt=sse" if stream else "")
    assert last["headers"]["x-goog-api-key"] == GEMINI_KEY and "authorization" not in last["headers"]
    assert "model" not in last["body"] and "stream" not in last["body"]
    return last["body"]


def test_chat_whole(gstack, upstream, account_client):
    client, account, _ = account_client
    completion = client.chat.completions.create(
        model="gem", max_tokens=50, reasoning_effort="low",
        messages=[{"role": "system", "content": "Be brief."},
                  {"role": "user", "content": PAD + directive(reply="Bonjour.", reasoning="thinking", usage=USAGE)}])
    assert completion.choices[0].message.content == "Bonjour."
    assert completion.choices[0].message.model_extra["reasoning_content"] == "thinking"
    assert completion.choices[0].finish_reason == "stop" and completion.model == "gem"
    usage = completion.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.prompt_tokens_details.cached_tokens,
            usage.completion_tokens_details.reasoning_tokens) == (44, 5, 12, 3)
    body = the_upstream_call(upstream, stream=False)
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert body["generationConfig"]["maxOutputTokens"] == 50
    assert body["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 1024, "includeThoughts": True}
    assert usage.model_extra["credits"] == exact_cost(44, 5)
    (log,) = gstack.logs(account)
    assert (log.prompt_tokens, log.completion_tokens, log.cached_tokens, log.upstream_model) == (44, 5, 12,
                                                                                               UPSTREAM_MODEL)
    assert_charged(gstack, account, exact_cost(44, 5))


def test_chat_stream(gstack, upstream, account_client):
    client, account, _ = account_client
    stream = client.chat.completions.create(
        model="gem", max_tokens=50, stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": PAD + directive(reply="one two three", usage=USAGE)}])
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "one two three"
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage.model_extra["credits"] == exact_cost(44, 5)
    the_upstream_call(upstream, stream=True)
    assert_charged(gstack, account, exact_cost(44, 5))


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_chat_tool_call_and_the_signature_on_the_next_turn(gstack, upstream, account_client, stream):
    client, account, _ = account_client
    ask = [{"role": "user", "content": PAD + "Weather in Paris?"}]
    first = ask[0]["content"] + directive(reply="", tools=[{"name": "get_weather", "id": "fc-paris",
                                                            "arguments": {"city": "Paris"}}], usage=USAGE)
    kwargs = dict(model="gem", max_tokens=50, tools=[WEATHER], tool_choice="auto")
    if stream:
        chunks = list(client.chat.completions.create(messages=[{"role": "user", "content": first}], stream=True,
                                                     stream_options={"include_usage": True}, **kwargs))
        calls = [call for c in chunks if c.choices for call in c.choices[0].delta.tool_calls or ()]
        (call,) = calls
        assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == \
            ["tool_calls"]
        call_dict = call.model_dump(exclude_none=True, exclude={"index"})
    else:
        completion = client.chat.completions.create(messages=[{"role": "user", "content": first}], **kwargs)
        (call,) = completion.choices[0].message.tool_calls
        assert completion.choices[0].finish_reason == "tool_calls"
        call_dict = call.model_dump(exclude_none=True)
    assert call.id == "fc-paris" and call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    signature = call.model_extra["extra_content"]["google"]["thought_signature"]
    body = the_upstream_call(upstream, stream)
    assert body["tools"] == [{"functionDeclarations": [{"name": "get_weather", "description": "Weather in a city.",
                                                        "parametersJsonSchema": WEATHER["function"]["parameters"]}]}]
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "AUTO"}}

    # The next turn sends the call back as the SDK gave it: Gemini gets its signature again.
    answer = client.chat.completions.create(messages=[
        {"role": "user", "content": first}, {"role": "assistant", "content": None, "tool_calls": [call_dict]},
        {"role": "tool", "tool_call_id": call.id, "content": "sunny " + directive(reply="It is sunny.",
                                                                                  usage=USAGE)}], **kwargs)
    assert answer.choices[0].message.content == "It is sunny."
    contents = the_upstream_call(upstream, stream=False)["contents"]
    assert contents[1] == {"role": "model", "parts": [{"functionCall": {
        "name": "get_weather", "args": {"city": "Paris"}, "id": "fc-paris"}, "thoughtSignature": signature}]}
    assert contents[2]["parts"][0]["functionResponse"]["id"] == "fc-paris"
    assert contents[2]["parts"][0]["functionResponse"]["name"] == "get_weather"
    assert_charged(gstack, account, exact_cost(44, 5), exact_cost(44, 5))


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_anthropic_messages_through_the_chain(gstack, upstream, account_client, stream):
    _, account, raw = account_client
    sdk = anthropic.Anthropic(api_key=raw, base_url=gstack.url, max_retries=0, timeout=30)
    kwargs = dict(model="gem", max_tokens=50, system="Be brief.",
                  messages=[{"role": "user", "content": PAD + directive(reply="Hello there.", usage=USAGE)}])
    if stream:
        with sdk.messages.stream(**kwargs) as events:
            text = "".join(events.text_stream)
            message = events.get_final_message()
    else:
        message = sdk.messages.create(**kwargs)
        text = message.content[0].text
    assert text == "Hello there." and message.stop_reason == "end_turn"
    # Anthropic's input excludes the cache reads: 44 - 12.
    assert (message.usage.input_tokens, message.usage.cache_read_input_tokens, message.usage.output_tokens) == \
        (32, 12, 5)
    body = the_upstream_call(upstream, stream)
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert_charged(gstack, account, exact_cost(44, 5))


def test_a_stream_that_breaks_off_is_an_error_billed_for_what_was_relayed(gstack, upstream, account_client):
    client, account, _ = account_client
    stream = client.chat.completions.create(
        model="gem", max_tokens=50, stream=True,
        messages=[{"role": "user", "content": PAD + directive(reply="one two three", die_after=1)}])
    with pytest.raises(Exception):
        list(stream)
    (log,) = gstack.logs(account)
    assert log.status == 502 and log.credits > 0
    assert gstack.verify() == []


def test_upstream_errors_come_back_in_the_clients_shape(gstack, upstream, account_client):
    client, account, _ = account_client
    import openai

    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gem", max_tokens=50, messages=[
            {"role": "user", "content": directive(status=400, error_message="Invalid value at 'contents'")}])
    assert "Invalid value at 'contents'" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gem", max_tokens=50, stop=list("abcdef"),
                                       messages=[{"role": "user", "content": "x"}])
    assert "stop sequences" in caught.value.message


def test_anthropic_tool_use_round_trip_pairs_by_id_and_stands_in_for_the_lost_signature(gstack, upstream,
                                                                                         account_client):
    """An Anthropic client has nowhere to keep Gemini's thought signature:
    the call comes back on the next turn with Google's placeholder."""
    _, account, raw = account_client
    sdk = anthropic.Anthropic(api_key=raw, base_url=gstack.url, max_retries=0, timeout=30)
    tools = [{"name": "get_weather", "description": "Weather in a city.",
              "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]
    first = PAD + directive(reply="", tools=[{"name": "get_weather", "id": "fc-rome", "arguments": {"city": "Rome"}}],
                            usage=USAGE)
    message = sdk.messages.create(model="gem", max_tokens=50, tools=tools,
                                  messages=[{"role": "user", "content": first}])
    (use,) = [block for block in message.content if block.type == "tool_use"]
    assert (use.id, use.name, use.input, message.stop_reason) == ("fc-rome", "get_weather", {"city": "Rome"},
                                                                  "tool_use")
    answer = sdk.messages.create(model="gem", max_tokens=50, tools=tools, messages=[
        {"role": "user", "content": first},
        {"role": "assistant", "content": [block.model_dump() for block in message.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id,
                                      "content": "rain " + directive(reply="It rains.", usage=USAGE)}]}])
    assert answer.content[0].text == "It rains."
    contents = the_upstream_call(upstream, stream=False)["contents"]
    assert contents[1]["parts"] == [{"functionCall": {"name": "get_weather", "args": {"city": "Rome"}, "id": "fc-rome"},
                                     "thoughtSignature": "skip_thought_signature_validator"}]
    assert contents[2]["parts"][0]["functionResponse"]["id"] == "fc-rome"
    assert_charged(gstack, account, exact_cost(44, 5), exact_cost(44, 5))


# The google-genai SDK through the Gemini door to this Gemini channel: the
# request passes through (the model moved from the body into the URL, the
# channel's key in x-goog-api-key) and comes back as the upstream sent it.
@pytest.fixture
def genai_client(gstack):
    raw, _, account = gstack.new_key(CREDITS)
    return genai.Client(api_key=raw, http_options=types.HttpOptions(base_url=gstack.url, timeout=30_000)), account


def test_generate_content_passes_through(gstack, upstream, genai_client):
    sdk, account = genai_client
    answer = sdk.models.generate_content(
        model="gem", contents="Hello " + directive(reply="Hi from Gemini", usage=USAGE),
        config=types.GenerateContentConfig(system_instruction="Be brief.", max_output_tokens=100))
    assert answer.text == "Hi from Gemini"
    body = the_upstream_call(upstream, stream=False)
    assert body["systemInstruction"]["parts"][0]["text"] == "Be brief."
    assert body["contents"][0]["parts"][0]["text"].startswith("Hello ")
    # The billed usage: the tool-use prompt counts as prompt.
    assert answer.usage_metadata.prompt_token_count == 44 and answer.usage_metadata.thoughts_token_count == 3
    assert_charged(gstack, account, exact_cost(44, 5))


def test_stream_passes_through_and_ends_with_the_usage(gstack, upstream, genai_client):
    sdk, account = genai_client
    chunks = list(sdk.models.generate_content_stream(
        model="gem", contents="Stream " + directive(reply="one two three", usage=USAGE)))
    assert "".join(c.text or "" for c in chunks) == "one two three"
    the_upstream_call(upstream, stream=True)
    assert chunks[-1].candidates[0].finish_reason == types.FinishReason.STOP
    assert chunks[-1].usage_metadata.candidates_token_count == 2
    assert_charged(gstack, account, exact_cost(44, 5))


def test_the_upstream_model_name_is_the_channels(gstack, upstream, genai_client):
    sdk, _ = genai_client
    sdk.models.generate_content(model="gem", contents="x " + directive(reply="y"))
    assert upstream.last_request()["path"] == f"/v1beta/models/{UPSTREAM_MODEL}:generateContent"
    assert upstream.last_request()["headers"]["x-goog-api-key"] == GEMINI_KEY
