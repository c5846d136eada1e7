"""OpenAI chat <-> Gemini generateContent, for chat clients on a Gemini
channel: the request, the whole answer and the stream."""
from __future__ import annotations

import json

import pytest

from services.relay.adapters.base import StreamEvent
from services.relay.convert.gemini_upstream import SKIP_SIGNATURE, GeminiRequestError, chat_to_gemini_request, \
    gemini_to_chat_completion
from services.relay.convert.table import ChatFromGemini, ConversionRefused, Target, plan
from services.catalog.snapshot import ChannelInfo

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city.",
                                            "parameters": {"type": "object",
                                                           "properties": {"city": {"type": "string"}}}}}
TARGET = Target(upstream_model="gemini-2.5-flash", client_model="gem", max_output_tokens=100)


def convert(**body):
    return chat_to_gemini_request(body, upstream_model="gemini-2.5-flash", max_output_tokens=100)


def test_system_roles_images_and_generation_config():
    out = convert(messages=[
        {"role": "system", "content": "Be brief."},
        {"role": "developer", "content": "Use French."},
        {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                     {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBOR"}}]},
        {"role": "assistant", "content": "Une image."},
        {"role": "user", "content": "Merci"}],
        temperature=0.2, top_p=0.9, stop=["END"], reasoning_effort="low",
        response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}})
    assert out["model"] == "gemini-2.5-flash"
    assert out["systemInstruction"] == {"parts": [{"text": "Be brief.\n\nUse French."}]}
    assert out["contents"] == [
        {"role": "user", "parts": [{"text": "What is this?"}, {"inlineData": {"mimeType": "image/png",
                                                                             "data": "iVBOR"}}]},
        {"role": "model", "parts": [{"text": "Une image."}]},
        {"role": "user", "parts": [{"text": "Merci"}]}]
    assert out["generationConfig"] == {
        "maxOutputTokens": 100, "temperature": 0.2, "topP": 0.9, "stopSequences": ["END"],
        "responseMimeType": "application/json", "responseJsonSchema": {"type": "object"},
        "thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": True}}
    assert convert(messages=[{"role": "user", "content": "x"}], reasoning_effort="none")[
        "generationConfig"]["thinkingConfig"] == {"thinkingBudget": 0, "includeThoughts": False}


def test_tools_choice_and_results_paired_by_id_with_the_signature_restored():
    out = convert(tools=[WEATHER], tool_choice={"type": "function", "function": {"name": "get_weather"}}, messages=[
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "fc-1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
             "extra_content": {"google": {"thought_signature": "SIG"}}},
            {"id": "fc-2", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Rome"}'}}]},
        {"role": "tool", "tool_call_id": "fc-1", "content": "sunny"},
        {"role": "tool", "tool_call_id": "fc-2", "content": [{"type": "text", "text": "rain"}]}])
    assert out["tools"] == [{"functionDeclarations": [{"name": "get_weather", "description": "Weather in a city.",
                                                       "parametersJsonSchema": WEATHER["function"]["parameters"]}]}]
    assert out["toolConfig"] == {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}}
    model, answers = out["contents"][1:]
    assert model == {"role": "model", "parts": [
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}, "id": "fc-1"}, "thoughtSignature": "SIG"},
        {"functionCall": {"name": "get_weather", "args": {"city": "Rome"}, "id": "fc-2"}}]}
    assert answers == {"role": "user", "parts": [
        {"functionResponse": {"name": "get_weather", "response": {"output": "sunny"}, "id": "fc-1"}},
        {"functionResponse": {"name": "get_weather", "response": {"output": "rain"}, "id": "fc-2"}}]}


def test_a_call_never_signed_gets_the_documented_skip_value_on_its_turns_first_call():
    out = convert(messages=[
        {"role": "user", "content": "x"},
        {"role": "assistant", "tool_calls": [
            {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
            {"id": "b", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "a", "content": "1"}, {"role": "tool", "tool_call_id": "b", "content": "2"}])
    first, second = out["contents"][1]["parts"]
    assert first["thoughtSignature"] == SKIP_SIGNATURE and "thoughtSignature" not in second


@pytest.mark.parametrize("choice, mode", [("auto", "AUTO"), ("none", "NONE"), ("required", "ANY")])
def test_tool_choice_modes(choice, mode):
    out = convert(tools=[WEATHER], tool_choice=choice, messages=[{"role": "user", "content": "x"}])
    assert out["toolConfig"] == {"functionCallingConfig": {"mode": mode}}


@pytest.mark.parametrize("body", [
    {"stop": ["a", "b", "c", "d", "e", "f"]},
    {"reasoning_effort": "extreme"},
    {"messages": [{"role": "user", "content": "x"}, {"role": "tool", "tool_call_id": "nope", "content": "?"}]},
    {"tools": [{"type": "web_search"}]},
])
def test_what_gemini_cannot_be_asked_is_refused(body):
    body = {"messages": [{"role": "user", "content": "x"}], **body}
    with pytest.raises(GeminiRequestError):
        convert(**body)
    _, converter = plan("openai.chat", ChannelInfo(id=1, name="g", provider="gemini", base_url="http://x/v1beta",
                                                   api_key="k", models=("m",), model_map={}, priority=0, weight=1))
    with pytest.raises(ConversionRefused):
        converter.request(body, TARGET)


def test_answer_text_thoughts_calls_finish_and_usage():
    answer = {"responseId": "r1", "candidates": [{"index": 0, "finishReason": "STOP", "content": {"role": "model", "parts": [
        {"text": "Let me think.", "thought": True},
        {"text": "Checking."},
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "SIG"},
        {"functionCall": {"id": "given", "name": "get_weather", "args": {"city": "Rome"}}}]}}],
        "usageMetadata": {"promptTokenCount": 510, "candidatesTokenCount": 2, "thoughtsTokenCount": 3,
                          "cachedContentTokenCount": 100, "toolUsePromptTokenCount": 4}}
    out = gemini_to_chat_completion(answer, model="gem")
    (choice,) = out["choices"]
    message = choice["message"]
    assert (message["content"], message["reasoning_content"]) == ("Checking.", "Let me think.")
    first, second = message["tool_calls"]
    assert first["id"].startswith("call_") and first["extra_content"] == {"google": {"thought_signature": "SIG"}}
    assert json.loads(first["function"]["arguments"]) == {"city": "Paris"}
    assert second["id"] == "given" and "extra_content" not in second
    assert choice["finish_reason"] == "tool_calls"
    assert out["usage"] == {"prompt_tokens": 514, "completion_tokens": 5, "total_tokens": 519,
                            "prompt_tokens_details": {"cached_tokens": 100},
                            "completion_tokens_details": {"reasoning_tokens": 3}}
    # the same answer gives the same ids (a stream and a whole answer agree)
    assert gemini_to_chat_completion(answer, model="gem")["choices"][0]["message"]["tool_calls"][0]["id"] == first["id"]


@pytest.mark.parametrize("reason, finish", [("STOP", "stop"), ("MAX_TOKENS", "length"), ("SAFETY", "content_filter"),
                                            ("RECITATION", "content_filter"), ("OTHER", "stop")])
def test_finish_reasons(reason, finish):
    answer = {"candidates": [{"content": {"parts": [{"text": "x"}]}, "finishReason": reason}]}
    assert gemini_to_chat_completion(answer, model="m")["choices"][0]["finish_reason"] == finish


def test_a_blocked_prompt_is_an_empty_filtered_answer():
    out = gemini_to_chat_completion({"promptFeedback": {"blockReason": "SAFETY"},
                                     "usageMetadata": {"promptTokenCount": 4}}, model="m")
    assert out["choices"][0]["finish_reason"] == "content_filter" and out["usage"]["prompt_tokens"] == 4


def chunk(parts, finish=None, usage=None):
    candidate = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    out = {"candidates": [candidate], "responseId": "r9"}
    if usage:
        out["usageMetadata"] = usage
    return out


def test_stream_role_deltas_whole_tool_calls_finish_usage_then_done():
    translator = ChatFromGemini(None, TARGET)
    events = translator.start()
    for data in (chunk([{"text": "hmm", "thought": True}]), chunk([{"text": "Hi"}]),
                 chunk([{"functionCall": {"id": "c1", "name": "f", "args": {"a": 1}}, "thoughtSignature": "S"}]),
                 chunk([{"text": ""}], "STOP", {"promptTokenCount": 7, "candidatesTokenCount": 3,
                                                "thoughtsTokenCount": 1})):
        events += translator.feed(StreamEvent(data))
    events += translator.feed(StreamEvent(None, b"", last=True))
    assert translator.finish() == []
    *chunks, done = events
    assert done.last and done.raw == b"data: [DONE]\n\n" and not any(e.last for e in chunks)
    deltas = [c.chunk["choices"][0]["delta"] for c in chunks if c.chunk["choices"]]
    assert deltas[:3] == [{"role": "assistant", "content": ""}, {"reasoning_content": "hmm"}, {"content": "Hi"}]
    assert deltas[3] == {"tool_calls": [{"index": 0, "id": "c1", "type": "function",
                                         "function": {"name": "f", "arguments": '{"a":1}'},
                                         "extra_content": {"google": {"thought_signature": "S"}}}]}
    assert chunks[4].chunk["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[-1].chunk["choices"] == [] and chunks[-1].chunk["usage"]["completion_tokens"] == 4
    assert {c.chunk["id"] for c in chunks} == {"chatcmpl-r9"} and chunks[0].chunk["model"] == "gem"


def test_a_stream_that_ended_after_its_finish_reason_without_a_last_event_is_finished_by_finish():
    translator = ChatFromGemini(None, TARGET)
    events = translator.feed(StreamEvent(chunk([{"text": "Hi"}], "MAX_TOKENS", {"promptTokenCount": 2})))
    events += translator.finish()
    assert events[-1].last and events[-2].chunk["usage"]["prompt_tokens"] == 2
    assert events[-3].chunk["choices"][0]["finish_reason"] == "length"
