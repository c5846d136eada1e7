"""OpenAI chat answers and streams -> Gemini's."""
from __future__ import annotations

from services.relay.adapters.base import StreamEvent
from services.relay.convert.gemini import GeminiFromChat, GeminiState, chat_to_gemini_answer
from services.relay.convert.table import Target

STATE = GeminiState(turn=3, include_thoughts=False)
TARGET = Target(upstream_model="up", client_model="gemini-2.5-flash", max_output_tokens=100)
USAGE = {"prompt_tokens": 10, "completion_tokens": 7, "completion_tokens_details": {"reasoning_tokens": 2}}


def test_answer_text_tools_and_usage():
    completion = {"id": "c1", "choices": [{"finish_reason": "tool_calls", "message": {
        "content": "Let me look.", "reasoning_content": "hmm", "tool_calls": [
            {"id": None, "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}},
            {"id": "x9", "type": "function", "function": {"name": "g", "arguments": "{}"}}]}}], "usage": USAGE}
    out = chat_to_gemini_answer(completion, STATE, model="gemini-2.5-flash")
    [candidate] = out["candidates"]
    assert candidate["finishReason"] == "STOP"
    assert candidate["content"]["parts"] == [
        {"text": "Let me look."}, {"functionCall": {"id": "call_3_0", "name": "f", "args": {"a": 1}}},
        {"functionCall": {"id": "x9", "name": "g", "args": {}}}]
    assert out["usageMetadata"] == {"promptTokenCount": 10, "candidatesTokenCount": 5, "thoughtsTokenCount": 2,
                                    "totalTokenCount": 17}
    thoughtful = chat_to_gemini_answer(completion, GeminiState(3, True), model="m")
    assert thoughtful["candidates"][0]["content"]["parts"][0] == {"text": "hmm", "thought": True}


def test_finish_reasons():
    for reason, expected in (("stop", "STOP"), ("length", "MAX_TOKENS"), ("content_filter", "SAFETY")):
        out = chat_to_gemini_answer({"choices": [{"finish_reason": reason, "message": {"content": "x"}}]}, STATE,
                                    model="m")
        assert out["candidates"][0]["finishReason"] == expected


def chunk(delta=None, finish=None, usage=None):
    out = {"id": "c1", "choices": [{"index": 0, "delta": delta or {}, "finish_reason": finish}] if delta is not None
           or finish else []}
    if usage:
        out["usage"] = usage
    return StreamEvent(out)


def run(events, state=STATE):
    translator = GeminiFromChat(state, TARGET)
    out = translator.start()
    for event in events:
        out += translator.feed(event)
    return out


def test_stream_text_ends_with_finish_reason_and_usage_on_the_last_chunk():
    out = run([chunk({"role": "assistant", "content": ""}), chunk({"reasoning_content": "think"}),
               chunk({"content": "Hel"}), chunk({"content": "lo"}), chunk(finish="length"),
               chunk(usage=USAGE), StreamEvent(None, b"data: [DONE]\n\n", last=True)])
    texts = [e.chunk["candidates"][0]["content"]["parts"] for e in out]
    assert texts == [[{"text": "Hel"}], [{"text": "lo"}]]
    assert [e.last for e in out] == [False, True]
    last = out[-1].chunk
    assert last["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert last["usageMetadata"]["candidatesTokenCount"] == 5 and last["modelVersion"] == "gemini-2.5-flash"
    assert all("finishReason" not in e.chunk["candidates"][0] for e in out[:-1])


def test_stream_thoughts_only_when_asked():
    out = run([chunk({"reasoning_content": "think"}), chunk({"content": "ok"}), chunk(finish="stop"),
               StreamEvent(None, b"", last=True)], GeminiState(0, True))
    assert out[0].chunk["candidates"][0]["content"]["parts"] == [{"text": "think", "thought": True}]


def test_stream_tool_arguments_are_buffered_into_one_function_call():
    out = run([chunk({"tool_calls": [{"index": 0, "id": "t1", "type": "function",
                                      "function": {"name": "read_file", "arguments": ""}}]}),
               chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"file_'}}]}),
               chunk({"tool_calls": [{"index": 0, "function": {"arguments": 'path": "/a"}'}}]}),
               chunk({"tool_calls": [{"index": 1, "id": None, "function": {"name": "ls", "arguments": "{}"}}]}),
               chunk(finish="tool_calls"), chunk(usage=USAGE), StreamEvent(None, b"", last=True)])
    [only] = out
    assert only.last and only.chunk["candidates"][0]["finishReason"] == "STOP"
    assert only.chunk["candidates"][0]["content"]["parts"] == [
        {"functionCall": {"id": "t1", "name": "read_file", "args": {"file_path": "/a"}}},
        {"functionCall": {"id": "call_3_1", "name": "ls", "args": {}}}]


def test_stream_without_terminal_event_finishes_and_empty_reply_has_a_final_chunk():
    translator = GeminiFromChat(STATE, TARGET)
    translator.feed(chunk(finish="stop"))
    [last] = translator.finish()
    assert last.last and last.chunk["candidates"][0]["content"]["parts"] == [{"text": ""}]
    assert translator.finish() == []
