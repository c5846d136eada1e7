"""Gemini generateContent request -> OpenAI chat request."""
from __future__ import annotations

import json

import pytest

from services.relay.convert.gemini import ConversionError, gemini_to_chat_request
from services.relay.convert.gemini.request import reasoning_effort
from services.relay.convert.gemini.tools import openapi_schema


def convert(body, **kw):
    kw.setdefault("upstream_model", "up")
    kw.setdefault("max_output_tokens", 1000)
    return gemini_to_chat_request({"model": "client", "stream": False, **body}, **kw)


def user(*parts):
    return {"role": "user", "parts": list(parts)}


def test_system_instruction_roles_and_text():
    out, state = convert({"systemInstruction": {"parts": [{"text": "Be brief."}]},
                          "contents": [user({"text": "hi"}), {"role": "model", "parts": [{"text": "hello"}]},
                                       user({"text": "again"})]})
    assert out["model"] == "up" and out["max_tokens"] == 1000
    assert out["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"},
                               {"role": "assistant", "content": "hello"}, {"role": "user", "content": "again"}]
    assert state.turn == 3 and not state.include_thoughts
    assert "stream" not in out and "tools" not in out


def test_thought_parts_are_dropped_never_passed_as_text():
    out, _ = convert({"contents": [user({"text": "q"}), {"role": "model", "parts": [
        {"text": "thinking...", "thought": True, "thoughtSignature": "sig"}, {"text": "answer"}]}]})
    assert out["messages"][1] == {"role": "assistant", "content": "answer"}


def test_inline_data_is_a_data_url_and_file_data_a_url():
    out, _ = convert({"contents": [user({"text": "see"}, {"inlineData": {"mimeType": "image/png", "data": "AAAA"}},
                                        {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://x/y.jpg"}})]})
    assert out["messages"][0]["content"] == [
        {"type": "text", "text": "see"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        {"type": "image_url", "image_url": {"url": "https://x/y.jpg"}}]


def test_unsendable_media_is_refused():
    with pytest.raises(ConversionError):
        convert({"contents": [user({"inlineData": {"mimeType": "video/mp4", "data": "AAAA"}})]})


def test_tool_calls_keep_their_ids_and_responses_pair_by_id():
    out, _ = convert({"contents": [
        user({"text": "q"}),
        {"role": "model", "parts": [{"functionCall": {"id": "a1", "name": "f", "args": {"x": 1}}},
                                    {"functionCall": {"id": "a2", "name": "f", "args": {"x": 2}}}]},
        user({"functionResponse": {"id": "a2", "name": "f", "response": {"output": "two"}}},
             {"functionResponse": {"id": "a1", "name": "f", "response": {"v": 1}}})]})
    assistant, first, second = out["messages"][1:]
    assert [c["id"] for c in assistant["tool_calls"]] == ["a1", "a2"] and assistant["content"] is None
    assert json.loads(assistant["tool_calls"][0]["function"]["arguments"]) == {"x": 1}
    assert (first["tool_call_id"], first["content"]) == ("a2", "two")
    assert (second["tool_call_id"], json.loads(second["content"])) == ("a1", {"v": 1})


def test_calls_without_ids_get_deterministic_ids_and_fifo_pairing_by_name():
    out, _ = convert({"contents": [
        user({"text": "q"}),
        {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}},
                                    {"functionCall": {"name": "g", "args": {}}},
                                    {"functionCall": {"name": "f", "args": {}}}]},
        user({"functionResponse": {"name": "f", "response": {}}}, {"functionResponse": {"name": "g", "response": {}}},
             {"functionResponse": {"name": "f", "response": {}}}, {"text": "and then?"})]})
    assistant = out["messages"][1]
    assert [c["id"] for c in assistant["tool_calls"]] == ["call_1_0", "call_1_1", "call_1_2"]
    tools = [m["tool_call_id"] for m in out["messages"] if m["role"] == "tool"]
    assert tools == ["call_1_0", "call_1_1", "call_1_2"]
    assert out["messages"][-1] == {"role": "user", "content": "and then?"}


def test_function_declarations_both_schema_forms_and_modes():
    tools = [{"functionDeclarations": [
        {"name": "a", "description": "A", "parameters": {"type": "OBJECT", "properties": {
            "s": {"type": "STRING", "nullable": True}, "l": {"type": "ARRAY", "items": {"type": "INTEGER"}}}}},
        {"name": "b", "parametersJsonSchema": {"type": "object", "properties": {"Q": {"type": "string"}}}}]},
        {"googleSearch": {}}]
    out, _ = convert({"contents": [user({"text": "q"})], "tools": tools})
    a, b = (t["function"] for t in out["tools"])
    assert a["parameters"] == {"type": "object", "properties": {"s": {"type": ["string", "null"]},
                                                                "l": {"type": "array", "items": {"type": "integer"}}}}
    assert b["parameters"] == {"type": "object", "properties": {"Q": {"type": "string"}}}
    assert "tool_choice" not in out
    for mode, allowed, expected in (("NONE", None, "none"), ("ANY", None, "required"),
                                    ("ANY", ["b"], {"type": "function", "function": {"name": "b"}})):
        config = {"functionCallingConfig": {"mode": mode, **({"allowedFunctionNames": allowed} if allowed else {})}}
        out, _ = convert({"contents": [user({"text": "q"})], "tools": tools, "toolConfig": config})
        assert out["tool_choice"] == expected


def test_generation_config():
    out, state = convert({"stream": True, "contents": [user({"text": "q"})], "generationConfig": {
        "temperature": 0.2, "topP": 0.9, "maxOutputTokens": 300, "stopSequences": ["1", "2", "3", "4", "5"],
        "responseMimeType": "application/json", "responseSchema": {"type": "OBJECT"},
        "thinkingConfig": {"thinkingBudget": 2048, "includeThoughts": True}}})
    assert (out["temperature"], out["top_p"], out["max_tokens"], out["stop"]) == (0.2, 0.9, 300, ["1", "2", "3", "4"])
    assert out["stream"] is True and out["stream_options"] == {"include_usage": True}
    assert out["response_format"] == {"type": "json_schema", "json_schema": {"name": "response",
                                                                             "schema": {"type": "object"}}}
    assert out["reasoning_effort"] == "medium" and state.include_thoughts
    out, _ = convert({"contents": [user({"text": "q"})], "generationConfig": {"maxOutputTokens": 5000,
                                                                           "responseMimeType": "application/json"}})
    assert out["max_tokens"] == 1000 and out["response_format"] == {"type": "json_object"}


@pytest.mark.parametrize("think, effort", [({"thinkingBudget": 0}, "none"), ({"thinkingBudget": 1024}, "low"),
                                           ({"thinkingBudget": 8192}, "medium"), ({"thinkingBudget": 8193}, "high"),
                                           ({"thinkingBudget": -1}, None), ({"thinkingLevel": "HIGH"}, "high"),
                                           ({}, None)])
def test_thinking_budget_buckets(think, effort):
    assert reasoning_effort({"thinkingConfig": think}) == effort


def test_openapi_schema_keeps_what_it_does_not_know():
    assert openapi_schema({"type": "STRING", "enum": ["a"], "format": "enum"}) == {
        "type": "string", "enum": ["a"], "format": "enum"}
