"""POST /v1/completions, the legacy completions API, through the openai SDK:

- passed through to a channel speaking openai.completions (the upstream's
  /v1/completions gets the client's body, model renamed);
- converted to chat for a chat-only channel (the prompt as one user
  message, `text` back), and refused with a 400 for what chat cannot
  emulate (suffix, echo, logprobs, best_of, several prompts);
- billed exactly on the upstream's usage; max_tokens defaults to 16."""
from __future__ import annotations

import openai
import pytest
from openai import OpenAI

from tests.blueprints.api_v1.conftest import PRICED
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack

CREDITS = 10_000_000
PAD = "pad " * 100
USAGE = {"prompt_tokens": 30, "completion_tokens": 4}
MODELS = {"passthrough": "text-native", "converted": "text-on-chat"}


def exact_cost(prompt: int, completion: int) -> int:
    micro = prompt * PRICED["input_price"] + completion * PRICED["output_price"]
    return -(-micro // 1_000_000) + PRICED["request_price"]


@pytest.fixture(scope="module")
def cstack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="completions")
    for model in MODELS.values():
        stack.set_model(model, max_output_tokens=1000, **PRICED)
    stack.add_channel("text", fake_upstream.base_url_v1, ["text-native"], model_map={"text-native": "davinci-up"},
                      speaks="openai.chat,openai.completions")
    stack.add_channel("chat-only", fake_upstream.base_url_v1, ["text-on-chat"])
    yield stack
    stack.stop()


@pytest.fixture
def client_for(cstack):
    raw, _, account = cstack.new_key(CREDITS)
    return OpenAI(api_key=raw, base_url=cstack.base_url, max_retries=0, timeout=30), account


def assert_charged(stack, account: int, model: str, cost: int):
    (log,) = stack.logs(account)
    assert (log.status, log.model, log.credits, log.door) == (200, model, cost, "completions")
    assert stack.balance(account) == CREDITS - cost
    assert stack.verify() == []


@pytest.mark.parametrize("way", sorted(MODELS))
def test_whole(cstack, upstream, client_for, way):
    client, account = client_for
    model = MODELS[way]
    completion = client.completions.create(model=model, prompt=PAD + directive(reply="upon a time", usage=USAGE),
                                           temperature=0.5)
    assert completion.object == "text_completion" and completion.model == model
    assert completion.choices[0].text == "upon a time" and completion.choices[0].finish_reason == "stop"
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (30, 4)
    assert completion.usage.model_extra["credits"] == exact_cost(30, 4)
    sent = upstream.last_request()
    if way == "passthrough":
        assert sent["path"] == "/v1/completions" and sent["body"]["model"] == "davinci-up"
        assert sent["body"]["prompt"].endswith("]]") and "max_tokens" not in sent["body"]
    else:
        assert sent["path"] == "/v1/chat/completions"
        assert sent["body"]["messages"] == [{"role": "user", "content": PAD + directive(reply="upon a time",
                                                                                        usage=USAGE)}]
        assert sent["body"]["max_tokens"] == 16 and sent["body"]["temperature"] == 0.5
    assert_charged(cstack, account, model, exact_cost(30, 4))


@pytest.mark.parametrize("way", sorted(MODELS))
def test_stream(cstack, upstream, client_for, way):
    client, account = client_for
    model = MODELS[way]
    chunks = list(client.completions.create(model=model, prompt=PAD + directive(reply="a b c", usage=USAGE),
                                            max_tokens=20, stream=True, stream_options={"include_usage": True}))
    assert all(c.object == "text_completion" for c in chunks)
    assert "".join(c.choices[0].text for c in chunks if c.choices) == "a b c"
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage.model_extra["credits"] == exact_cost(30, 4)
    path = upstream.last_request()["path"]
    assert path == ("/v1/completions" if way == "passthrough" else "/v1/chat/completions")
    assert_charged(cstack, account, model, exact_cost(30, 4))


def test_stream_without_include_usage_hides_it(cstack, upstream, client_for):
    client, account = client_for
    chunks = list(client.completions.create(model="text-on-chat", prompt=PAD + directive(usage=USAGE),
                                            stream=True))
    assert all(c.usage is None for c in chunks)
    assert_charged(cstack, account, "text-on-chat", exact_cost(30, 4))


@pytest.mark.parametrize("extra", [{"suffix": "The end."}, {"echo": True}, {"logprobs": 1}, {"best_of": 2},
                                   {"prompt": ["one", "two"]}])
def test_what_chat_cannot_emulate_is_a_400(cstack, upstream, client_for, extra):
    client, account = client_for
    with pytest.raises(openai.BadRequestError) as caught:
        client.completions.create(model="text-on-chat", **{"prompt": "x", **extra})
    name = next(iter(extra))
    assert (name if name != "prompt" else "several prompts") in caught.value.message
    assert upstream.stats()["calls"] == 0
    assert cstack.balance(account) == CREDITS


def test_what_chat_cannot_emulate_passes_through_where_the_upstream_has_it(cstack, upstream, client_for):
    client, account = client_for
    client.completions.create(model="text-native", prompt="x " + directive(usage=USAGE), echo=True, suffix="!")
    assert upstream.last_request()["body"]["echo"] is True
    assert_charged(cstack, account, "text-native", exact_cost(30, 4))


def test_no_prompt_is_a_400(cstack, upstream, client_for):
    client, _ = client_for
    with pytest.raises(openai.BadRequestError):
        client.post("/completions", body={"model": "text-on-chat"}, cast_to=object)
