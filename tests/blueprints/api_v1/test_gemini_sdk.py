"""The google-genai SDK against Tollgate's Gemini door (gunicorn + gevent)
to a chat-only channel on the fake upstream: generate_content,
generate_content_stream, a function-calling round trip and count_tokens,
with exact credits, keys from x-goog-api-key, ?key= and Bearer, and errors
in Google's shape. Gemini's utility model names reach the registry model
through an operator's alias (`flask model alias 'gemini-*' fake-model`)."""
from __future__ import annotations

import json

import pytest
import requests
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from tests.blueprints.api_v1.conftest import PRICED, seed
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack

CREDITS = 1_000_000_000


@pytest.fixture(scope="module")
def gstack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="gemini-sdk")
    seed(stack, fake_upstream.base_url_v1)  # fake-model on the chat-only "fake" channel
    with stack.app.app_context():
        result = stack.app.test_cli_runner().invoke(args=["model", "alias", "gemini-*", "fake-model"])
    assert result.exit_code == 0, result.output
    yield stack
    stack.stop()


def sdk(stack, key: str) -> genai.Client:
    return genai.Client(api_key=key, http_options=types.HttpOptions(base_url=stack.url, timeout=30_000))


def cost(log) -> int:
    return -(-(log.prompt_tokens * PRICED["input_price"] + log.completion_tokens * PRICED["output_price"])
             // 1_000_000) + PRICED["request_price"]


def charged(stack, account: int, calls: int) -> list:
    logs = stack.logs(account)
    assert len(logs) == calls, [(log.status, log.error_code) for log in logs]
    for log in logs:
        assert (log.status, log.door, log.model) == (200, "gemini", "fake-model")
        assert log.credits == cost(log) > 0
    assert stack.balance(account) == CREDITS - sum(log.credits for log in logs)
    assert stack.verify() == []
    return logs


def test_generate_content(gstack, upstream):
    key, _, account = gstack.new_key(CREDITS)
    client = sdk(gstack, key)
    answer = client.models.generate_content(
        model="gemini-2.5-flash", contents="Hello " + directive(reply="Hi from chat", usage={"completion_tokens": 4}),
        config=types.GenerateContentConfig(system_instruction="Be brief.", temperature=0.5, max_output_tokens=200,
                                           stop_sequences=["a", "b", "c", "d", "e"]))
    assert answer.text == "Hi from chat"
    assert answer.candidates[0].finish_reason == types.FinishReason.STOP
    [sent] = upstream.requests()
    assert sent["path"] == "/v1/chat/completions"
    body = sent["body"]
    assert body["model"] == "fake-model" and "stream" not in body
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert (body["temperature"], body["max_tokens"], body["stop"]) == (0.5, 200, ["a", "b", "c", "d"])
    [log] = charged(gstack, account, 1)
    assert answer.usage_metadata.prompt_token_count == log.prompt_tokens
    assert answer.usage_metadata.candidates_token_count == log.completion_tokens == 4
    raw = requests.post(f"{gstack.url}/v1beta/models/fake-model:generateContent",
                        json={"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
                        headers={"x-goog-api-key": key}, timeout=30).json()
    assert raw["usageMetadata"]["credits"] == gstack.logs(account)[-1].credits


def test_generate_content_stream(gstack, upstream):
    key, _, account = gstack.new_key(CREDITS)
    client = sdk(gstack, key)  # kept: a dropped Client closes its connection pool
    chunks = list(client.models.generate_content_stream(
        model="gemini-2.5-flash-lite", contents="Count " + directive(reply="one two three four", chunks=4)))
    assert "".join(c.text or "" for c in chunks) == "one two three four"
    last = chunks[-1]
    assert last.candidates[0].finish_reason == types.FinishReason.STOP
    assert all(c.candidates[0].finish_reason is None for c in chunks[:-1])
    [sent] = upstream.requests()
    assert sent["body"]["stream"] is True and sent["body"]["stream_options"] == {"include_usage": True}
    [log] = charged(gstack, account, 1)
    assert log.stream and last.usage_metadata.candidates_token_count == log.completion_tokens == 4


WEATHER = types.FunctionDeclaration(
    name="get_weather", description="Weather for a city",
    parameters=types.Schema(type=types.Type.OBJECT, properties={"city": types.Schema(type=types.Type.STRING)},
                            required=["city"]))


def test_function_calling_round_trip(gstack, upstream):
    key, _, account = gstack.new_key(CREDITS)
    client = sdk(gstack, key)
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[WEATHER])],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        tool_config=types.ToolConfig(function_calling_config=types.FunctionCallingConfig(mode="ANY")))
    prompt = types.Content(role="user", parts=[types.Part(text="Weather in Paris? " + directive(
        reply="", tools=[{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "call_up_1"}]))])
    first = client.models.generate_content(model="gemini-3-flash-preview", contents=[prompt], config=config)
    [call] = first.function_calls
    assert (call.id, call.name, call.args) == ("call_up_1", "get_weather", {"city": "Paris"})
    sent = upstream.last_request()["body"]
    tool = sent["tools"][0]["function"]
    assert tool["name"] == "get_weather" and sent["tool_choice"] == "required"
    assert tool["parameters"] == {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    # The SDK sends the call back (with its id) and the function's response.
    reply = types.Content(role="user", parts=[types.Part(function_response=types.FunctionResponse(
        id=call.id, name="get_weather", response={"output": "Sunny " + directive(reply="It is sunny.", tools=[])}))])
    second = client.models.generate_content(model="gemini-3-flash-preview",
                                            contents=[prompt, first.candidates[0].content, reply], config=config)
    assert second.text == "It is sunny."
    messages = upstream.last_request()["body"]["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool"]
    assert messages[1]["tool_calls"][0]["id"] == messages[2]["tool_call_id"] == "call_up_1"
    assert json.loads(messages[1]["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris"}
    assert messages[2]["content"].startswith("Sunny")  # {"output": text} goes as the text
    charged(gstack, account, 2)


def test_streamed_tool_call_arrives_whole_with_its_id(gstack, upstream):
    key, _, account = gstack.new_key(CREDITS)
    client = sdk(gstack, key)
    chunks = list(client.models.generate_content_stream(
        model="gemini-2.5-flash", contents="Go " + directive(reply="", arg_chunks=5, tools=[
            {"name": "get_weather", "arguments": {"city": "Oslo", "unit": "c"}}]),
        config=types.GenerateContentConfig(tools=[types.Tool(function_declarations=[WEATHER])],
                                           automatic_function_calling=types.AutomaticFunctionCallingConfig(
                                               disable=True))))
    calls = [c for chunk in chunks for c in (chunk.function_calls or ())]
    assert len(calls) == 1 and calls[0].args == {"city": "Oslo", "unit": "c"} and calls[0].id
    assert chunks[-1].candidates[0].finish_reason == types.FinishReason.STOP
    charged(gstack, account, 1)


def test_count_tokens_is_local_and_free(gstack, upstream):
    key, _, account = gstack.new_key(CREDITS)
    client = sdk(gstack, key)
    result = client.models.count_tokens(model="gemini-2.5-flash", contents="How many tokens is this?")
    assert result.total_tokens > 0
    assert upstream.requests() == []
    assert gstack.logs(account) == [] and gstack.balance(account) == CREDITS


@pytest.mark.parametrize("how", ["x-goog-api-key", "query", "bearer"])
def test_keys_from_header_query_and_bearer(gstack, upstream, how):
    key, _, account = gstack.new_key(CREDITS)
    url = f"{gstack.url}/v1beta/models/gemini-2.5-flash%3AstreamGenerateContent?alt=sse"
    headers = {"x-goog-api-key": {"x-goog-api-key": key}, "query": {},
               "bearer": {"Authorization": f"Bearer {key}"}}[how]
    if how == "query":
        url += f"&key={key}"
    body = {"contents": [{"role": "user", "parts": [{"text": "hi " + directive(reply="ok then")}]}]}
    r = requests.post(url, json=body, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    frames = [f for f in r.content.split(b"\r\n\r\n") if f]
    assert all(f.startswith(b"data: ") for f in frames)
    final = json.loads(frames[-1][6:])
    assert final["candidates"][0]["finishReason"] == "STOP"
    [log] = charged(gstack, account, 1)
    assert final["usageMetadata"]["credits"] == log.credits


def test_json_array_stream_without_alt_sse_and_v1_path(gstack, upstream):
    key, _, account = gstack.new_key(CREDITS)
    r = requests.post(f"{gstack.url}/v1/models/gemini-2.5-flash:streamGenerateContent",
                      json={"contents": [{"role": "user", "parts": [{"text": directive(reply="a b c")}]}]},
                      headers={"x-goog-api-key": key}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    chunks = r.json()
    assert "".join(p["text"] for c in chunks for p in c["candidates"][0]["content"]["parts"]) == "a b c"
    assert chunks[-1]["usageMetadata"]["credits"] == charged(gstack, account, 1)[0].credits
    # GET /v1/models stays OpenAI's list.
    assert requests.get(f"{gstack.url}/v1/models", headers={"Authorization": f"Bearer {key}"},
                        timeout=30).json()["object"] == "list"


def test_models_list_and_one_model(gstack):
    key, _, _ = gstack.new_key(CREDITS)
    listed = requests.get(f"{gstack.url}/v1beta/models", headers={"x-goog-api-key": key}, timeout=30).json()
    [fake] = [m for m in listed["models"] if m["name"] == "models/fake-model"]
    assert (fake["inputTokenLimit"], fake["outputTokenLimit"]) == (32000, 1000)
    assert "generateContent" in fake["supportedGenerationMethods"]
    one = requests.get(f"{gstack.url}/v1beta/models/gemini-2.5-flash?key={key}", timeout=30).json()
    assert one["name"] == "models/gemini-2.5-flash" and one["outputTokenLimit"] == 1000
    # google-genai 3.x lists from /v1/models, which is OpenAI's list here: name the v1beta API.
    client = genai.Client(api_key=key, http_options=types.HttpOptions(base_url=gstack.url, api_version="v1beta"))
    listed_sdk = [m.name for m in client.models.list()]
    assert "models/fake-model" in listed_sdk


def _error(r) -> dict:
    error = r.json()["error"]
    assert set(error) == {"code", "message", "status"} and error["code"] == r.status_code
    return error


def test_errors_in_googles_shape(gstack, upstream):
    key, _, account = gstack.new_key(CREDITS)
    base = f"{gstack.url}/v1beta/models"
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    r = requests.post(f"{base}/fake-model:generateContent", json=body, timeout=30)
    assert _error(r)["status"] == "UNAUTHENTICATED" and r.status_code == 401
    r = requests.post(f"{base}/no-such-model:generateContent", json=body, headers={"x-goog-api-key": key}, timeout=30)
    assert _error(r)["status"] == "NOT_FOUND"
    r = requests.post(f"{base}/fake-model:generateContent", json={"contents": []}, headers={"x-goog-api-key": key},
                      timeout=30)
    assert _error(r)["status"] == "INVALID_ARGUMENT"
    r = requests.post(f"{base}/fake-model:explode", json=body, headers={"x-goog-api-key": key}, timeout=30)
    assert _error(r)["status"] == "NOT_FOUND"
    r = requests.get(f"{gstack.url}/v1beta/nothing-here", timeout=30)
    assert _error(r)["status"] == "NOT_FOUND"
    r = requests.post(f"{base}/fake-model:generateContent", headers={"x-goog-api-key": key}, timeout=30,
                      json={"contents": [{"role": "user", "parts": [{"text": directive(status=429)}]}]})
    assert _error(r)["status"] == "RESOURCE_EXHAUSTED"
    poor, _, poor_account = gstack.new_key(0)
    r = requests.post(f"{base}/fake-model:generateContent", json=body, headers={"x-goog-api-key": poor}, timeout=30)
    error = _error(r)
    assert (r.status_code, error["status"]) == (403, "PERMISSION_DENIED") and "Insufficient credits" in error["message"]
    [refused] = gstack.logs(poor_account)
    assert (refused.status, refused.model, refused.door) == (402, "fake-model", "gemini")
    client = sdk(gstack, "sk-wrong")
    with pytest.raises(genai_errors.ClientError) as caught:
        client.models.generate_content(model="fake-model", contents="hi")
    assert caught.value.code == 401 and caught.value.status == "UNAUTHENTICATED"


def test_mid_stream_error_is_a_data_frame(gstack, upstream):
    key, _, account = gstack.new_key(CREDITS)
    r = requests.post(f"{gstack.url}/v1beta/models/fake-model:streamGenerateContent?alt=sse",
                      headers={"x-goog-api-key": key}, timeout=30, json={"contents": [{"role": "user", "parts": [
                          {"text": directive(reply="one two three four", error_after=2)}]}]})
    frames = [json.loads(f[6:]) for f in r.content.split(b"\r\n\r\n") if f]
    assert frames[-1]["error"]["status"] in ("UNAVAILABLE", "INTERNAL") and "candidates" in frames[0]
    assert gstack.verify() == []
