"""The Responses API's store on a converted (chat-only) channel:
previous_response_id continues a conversation, GET and DELETE find a stored
response, only for keys of the account that made it; `store: false` keeps
nothing. And a Responses client on an Anthropic-native channel (Responses ->
chat -> Anthropic)."""
from __future__ import annotations

import openai
import pytest
import requests
from openai import OpenAI

from tests.blueprints.api_v1.anthropic_stack import seed as seed_anthropic
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def rstack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="responses-store")
    seed_anthropic(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


def client(stack, credits=10**9) -> tuple[OpenAI, int]:
    raw, _, account = stack.new_key(credits)
    return OpenAI(api_key=raw, base_url=stack.base_url, max_retries=0, timeout=30), account


def chat_messages(request: dict) -> list[dict]:
    return request["body"]["messages"]


def test_previous_response_id_carries_the_conversation(rstack, upstream):
    sdk, _ = client(rstack)
    first = sdk.responses.create(model="deepseek-chat", instructions="Be brief.",
                                 input="My name is Ada. " + directive(reply="Hello Ada."))
    assert first.output_text == "Hello Ada."
    second = sdk.responses.create(model="deepseek-chat", previous_response_id=first.id,
                                  input="What is my name? " + directive(reply="Ada."))
    assert second.output_text == "Ada."
    sent = chat_messages(upstream.last_request())
    # As in OpenAI's API, the earlier instructions are not carried over.
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert "My name is Ada." in str(sent[0]["content"]) and sent[1]["content"] == "Hello Ada."
    # The stored second response is found, with its own output.
    fetched = sdk.responses.retrieve(second.id)
    assert fetched.id == second.id and fetched.output_text == "Ada."


def test_streamed_responses_are_stored_too(rstack, upstream):
    sdk, _ = client(rstack)
    with sdk.responses.stream(model="deepseek-chat", input="hi " + directive(reply="Streamed hello.")) as stream:
        final = stream.get_final_response()
    assert sdk.responses.retrieve(final.id).output_text == "Streamed hello."
    follow = sdk.responses.create(model="deepseek-chat", previous_response_id=final.id,
                                  input="again " + directive(reply="ok"))
    assert follow.output_text == "ok"
    assert [m["role"] for m in chat_messages(upstream.last_request())] == ["user", "assistant", "user"]


def test_another_accounts_key_sees_nothing(rstack, upstream):
    owner, _ = client(rstack)
    stranger, _ = client(rstack)
    made = owner.responses.create(model="deepseek-chat", input="secret " + directive(reply="kept"))
    with pytest.raises(openai.NotFoundError):
        stranger.responses.retrieve(made.id)
    with pytest.raises(openai.NotFoundError):
        stranger.responses.delete(made.id)
    with pytest.raises(openai.BadRequestError) as caught:
        stranger.responses.create(model="deepseek-chat", previous_response_id=made.id, input="and?")
    assert caught.value.body["code"] == "previous_response_not_found"
    assert owner.responses.retrieve(made.id).output_text == "kept"  # untouched


def test_delete_and_store_false(rstack, upstream):
    sdk, account = client(rstack)
    made = sdk.responses.create(model="deepseek-chat", input="x " + directive(reply="y"))
    sdk.responses.delete(made.id)
    with pytest.raises(openai.NotFoundError):
        sdk.responses.retrieve(made.id)
    unkept = sdk.responses.create(model="deepseek-chat", store=False, input="x " + directive(reply="y"))
    with pytest.raises(openai.NotFoundError):
        sdk.responses.retrieve(unkept.id)
    calls = upstream.stats()["calls"]
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.responses.create(model="deepseek-chat", previous_response_id=unkept.id, input="more")
    assert "not found" in caught.value.body["message"]
    assert upstream.stats()["calls"] == calls  # refused before any upstream call
    assert rstack.verify() == []


def test_a_responses_client_on_an_anthropic_channel(rstack, upstream):
    sdk, account = client(rstack)
    usage = {"input_tokens": 12, "output_tokens": 3}
    response = sdk.responses.create(model="claude-native", instructions="Be brief.",
                                    input="hi " + directive(reply="Hello from Claude.", usage=usage))
    assert response.output_text == "Hello from Claude."
    sent = upstream.last_request()
    assert sent["path"].endswith("/v1/messages") and sent["body"]["system"]
    assert response.usage.input_tokens == 12 and response.usage.output_tokens == 3
    with sdk.responses.stream(model="claude-native", input="hi " + directive(reply="Streamed Claude.")) as stream:
        final = stream.get_final_response()
    assert final.output_text == "Streamed Claude." and final.usage.model_extra["credits"] > 0
    (first, second) = rstack.logs(account)
    assert first.credits == response.usage.model_extra["credits"] and second.credits == final.usage.model_extra["credits"]
    assert rstack.verify() == []


def test_raw_stream_closes_after_the_terminal_event(rstack, upstream):
    raw, _, _ = rstack.new_key(10**9)
    r = requests.post(rstack.base_url + "/responses", stream=True, timeout=30,
                      headers={"Authorization": f"Bearer {raw}"},
                      json={"model": "deepseek-chat", "stream": True, "input": "hi " + directive(reply="a b c")})
    events = [line[7:] for line in r.iter_lines() if line.startswith(b"event: ")]
    assert events[0] == b"response.created" and events[1] == b"response.in_progress"
    assert events[-1] == b"response.completed"
