"""OpenAI Responses API wire format: Response objects, typed SSE events, errors.

Errors (HTTP status, bad requests) use OpenAI's error JSON, see ``openai_wire.error_body``.
"""
from __future__ import annotations

import time

import orjson

from .behaviour import Plan, rand_id
from .openai_wire import DELTA, FINAL, PRE

_ERROR_CODES = ("server_error", "rate_limit_exceeded", "invalid_prompt", "vector_store_timeout",
                "invalid_image", "invalid_image_format", "invalid_base64_image", "invalid_image_url",
                "image_too_large", "image_too_small", "image_parse_error", "image_content_policy_violation",
                "invalid_image_mode", "image_file_too_large", "unsupported_image_media_type",
                "empty_image_file", "failed_to_download_image", "image_file_not_found")


def usage_dict(plan: Plan):
    """The Responses usage object, or None when usage is disabled.

    Overrides take either dialect's names: ``input_tokens``/``prompt_tokens``,
    ``output_tokens``/``completion_tokens``, ``cached_tokens``/``cache_read_input_tokens``,
    ``cache_write_tokens``/``cache_creation_input_tokens``, ``reasoning_tokens``,
    ``total_tokens``. ``input_tokens_details`` always holds both ``cached_tokens`` and
    ``cache_write_tokens`` (the openai SDK's ``InputTokensDetails`` requires both).
    """
    o = plan.usage_overrides()
    if o is None:
        return None
    it = o.get("input_tokens", o.get("prompt_tokens", plan.prompt_tokens))
    ot = o.get("output_tokens", o.get("completion_tokens", plan.completion_tokens))
    cached = o.get("cached_tokens", o.get("cache_read_input_tokens", 0))
    written = o.get("cache_write_tokens", o.get("cache_creation_input_tokens", 0))
    rt = o.get("reasoning_tokens", len(plan.reasoning))
    return {
        "input_tokens": it,
        "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": written},
        "output_tokens": ot,
        "output_tokens_details": {"reasoning_tokens": rt},
        "total_tokens": o.get("total_tokens", it + ot),
    }


def _incomplete_reason(plan: Plan):
    """None for a completed response, else the incomplete_details reason."""
    fr = plan.b["finish_reason"]
    if fr == "length":
        return "max_output_tokens"
    if fr == "content_filter":
        return "content_filter"
    return None


class Answer:
    """One Response being produced: ids fixed up front, output items built on demand."""

    def __init__(self, plan: Plan, body: dict, model):
        self.plan = plan
        self.body = body
        self.model = model
        self.id = "resp_" + rand_id(48)
        self.created_at = int(time.time())
        self.reason = _incomplete_reason(plan)
        self.rs_id = "rs_" + rand_id(48)
        self.msg_id = "msg_" + rand_id(48)
        self.fc_ids = ["fc_" + rand_id(48) for _ in plan.tools]
        self.has_message = bool(plan.content) or not plan.tools

    # ------------------------------------------------------------ items
    def reasoning_item(self, done: bool = True) -> dict:
        summary = [{"type": "summary_text", "text": "".join(self.plan.reasoning)}] if done else []
        return {"id": self.rs_id, "type": "reasoning", "summary": summary}

    def text_part(self, done: bool = True) -> dict:
        return {"type": "output_text", "text": self.plan.text if done else "", "annotations": [], "logprobs": []}

    def message_item(self, done: bool = True) -> dict:
        status = ("incomplete" if self.reason else "completed") if done else "in_progress"
        return {"id": self.msg_id, "type": "message", "status": status, "role": "assistant",
                "content": [self.text_part()] if done else []}

    def call_item(self, i: int, done: bool = True) -> dict:
        t = self.plan.tools[i]
        return {"id": self.fc_ids[i], "type": "function_call", "status": "completed" if done else "in_progress",
                "call_id": t.id, "name": t.name, "arguments": t.args if done else ""}

    def output(self) -> list:
        out = []
        if self.plan.reasoning:
            out.append(self.reasoning_item())
        if self.has_message:
            out.append(self.message_item())
        out.extend(self.call_item(i) for i in range(len(self.plan.tools)))
        return out

    # ------------------------------------------------------------ the Response
    def response(self, status: str, output=None, usage=None, error=None) -> dict:
        body = self.body
        reasoning = body.get("reasoning") if isinstance(body.get("reasoning"), dict) else {}
        text = body.get("text") if isinstance(body.get("text"), dict) else {}
        return {
            "id": self.id,
            "object": "response",
            "created_at": self.created_at,
            "status": status,
            "background": False,
            "error": error,
            "incomplete_details": {"reason": self.reason} if status == "incomplete" else None,
            "instructions": body.get("instructions"),
            "max_output_tokens": body.get("max_output_tokens"),
            "max_tool_calls": None,
            "model": self.model,
            "output": output if output is not None else [],
            "parallel_tool_calls": body.get("parallel_tool_calls", True),
            "previous_response_id": body.get("previous_response_id"),
            "prompt_cache_key": body.get("prompt_cache_key"),
            "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
            "safety_identifier": body.get("safety_identifier"),
            "service_tier": "default",
            "store": body.get("store", True),
            "temperature": body.get("temperature", 1.0),
            "text": {"format": text.get("format") or {"type": "text"}, "verbosity": text.get("verbosity", "medium")},
            "tool_choice": body.get("tool_choice", "auto"),
            "tools": body.get("tools") or [],
            "top_logprobs": 0,
            "top_p": body.get("top_p", 1.0),
            "truncation": body.get("truncation", "disabled"),
            "usage": usage,
            "user": body.get("user"),
            "metadata": body.get("metadata") or {},
        }

    def final_status(self) -> str:
        return "incomplete" if self.reason else "completed"

    def final(self) -> dict:
        return self.response(self.final_status(), self.output(), usage_dict(self.plan))


def response_body(plan: Plan, body: dict, model) -> bytes:
    return orjson.dumps(Answer(plan, body, model).final())


def _ev(obj) -> bytes:
    return b"event: " + obj["type"].encode() + b"\ndata: " + orjson.dumps(obj) + b"\n\n"


class Stream:
    """The events of one streamed Response; numbers them and remembers the finished items,
    so an error event (``error_after``) can follow with the next number."""

    def __init__(self, plan: Plan, body: dict, model):
        self.a = Answer(plan, body, model)
        self.seq = 0
        self.done_items: list = []

    def _e(self, kind: str, **fields) -> bytes:
        obj = {"type": kind, "sequence_number": self.seq, **fields}
        self.seq += 1
        return _ev(obj)

    def events(self):
        """Yield (kind, bytes) for every SSE event (see app.drive_stream)."""
        a, plan = self.a, self.a.plan
        yield PRE, self._e("response.created", response=a.response("in_progress"))
        yield PRE, self._e("response.in_progress", response=a.response("in_progress"))
        index = 0
        if plan.reasoning:
            rid = a.rs_id
            yield PRE, self._e("response.output_item.added", output_index=index, item=a.reasoning_item(False))
            part = {"type": "summary_text", "text": ""}
            yield PRE, self._e("response.reasoning_summary_part.added", item_id=rid, output_index=index,
                               summary_index=0, part=part)
            for piece in plan.reasoning:
                yield DELTA, self._e("response.reasoning_summary_text.delta", item_id=rid, output_index=index,
                                     summary_index=0, delta=piece)
            whole = "".join(plan.reasoning)
            yield PRE, self._e("response.reasoning_summary_text.done", item_id=rid, output_index=index,
                               summary_index=0, text=whole)
            yield PRE, self._e("response.reasoning_summary_part.done", item_id=rid, output_index=index,
                               summary_index=0, part={"type": "summary_text", "text": whole})
            item = a.reasoning_item()
            self.done_items.append(item)
            yield PRE, self._e("response.output_item.done", output_index=index, item=item)
            index += 1
        if a.has_message:
            mid = a.msg_id
            yield PRE, self._e("response.output_item.added", output_index=index, item=a.message_item(False))
            yield PRE, self._e("response.content_part.added", item_id=mid, output_index=index, content_index=0,
                               part=a.text_part(False))
            for piece in plan.content:
                yield DELTA, self._e("response.output_text.delta", item_id=mid, output_index=index,
                                     content_index=0, delta=piece, logprobs=[])
            yield PRE, self._e("response.output_text.done", item_id=mid, output_index=index, content_index=0,
                               text=plan.text, logprobs=[])
            yield PRE, self._e("response.content_part.done", item_id=mid, output_index=index, content_index=0,
                               part=a.text_part())
            item = a.message_item()
            self.done_items.append(item)
            yield PRE, self._e("response.output_item.done", output_index=index, item=item)
            index += 1
        for i, t in enumerate(plan.tools):
            fid = a.fc_ids[i]
            yield PRE, self._e("response.output_item.added", output_index=index, item=a.call_item(i, False))
            for piece in t.pieces:
                yield DELTA, self._e("response.function_call_arguments.delta", item_id=fid, output_index=index,
                                     delta=piece)
            yield PRE, self._e("response.function_call_arguments.done", item_id=fid, output_index=index,
                               name=t.name, arguments=t.args)
            item = a.call_item(i)
            self.done_items.append(item)
            yield PRE, self._e("response.output_item.done", output_index=index, item=item)
            index += 1
        status = a.final_status()
        yield FINAL, self._e("response." + status, response=a.final())

    def error_event(self, plan: Plan) -> bytes:
        """``error_after``: a ``response.failed`` with the items finished so far and the usage so far."""
        b = plan.b
        code = b["error_code"] if b["error_code"] in _ERROR_CODES else "server_error"
        error = {"code": code, "message": b["error_message"] or "The server had an error while processing your "
                                                               "request. Sorry about that!"}
        # drive_stream has pulled (and dropped) the event this one replaces: take its number.
        self.seq = max(0, self.seq - 1)
        return self._e("response.failed", response=self.a.response("failed", list(self.done_items),
                                                                   usage_dict(plan), error))
