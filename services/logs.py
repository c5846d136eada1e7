"""Log setup, and the relay's one line per request.

LOG_FORMAT=json: every log record is one JSON object on one line (`ts`,
`level`, `logger`, `message`, the request id when there is a request, and
any structured fields the record carries). Otherwise the usual text lines.

Whatever the format, anything that looks like an API key (`sk-` and a long
tail) is cut to its first seven characters before it is written: the
request line carries only the key's id and visible prefix, and this is the
second fence in case some other message quotes a key.

No Flask or database imports at module level: gunicorn.conf.py loads this
in the master process for gunicorn's own logs.
"""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
KEY_LIKE = re.compile(r"sk-[A-Za-z0-9_\-]{12,}")
request_log = logging.getLogger("tollgate.request")

# Attributes every LogRecord has: whatever else a record carries came from `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def redact(text: str) -> str:
    return KEY_LIKE.sub(lambda m: m.group(0)[:7] + "...", text)


def _clean(value):
    return redact(value) if isinstance(value, str) else value


def _request_id() -> str | None:
    try:
        from flask import g, has_request_context
    except ImportError:  # pragma: no cover - Flask is a hard dependency
        return None
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """One JSON object per record. A record's `fields` (a dict, via
    `extra`) become top-level keys; `event` (via `extra`) replaces the
    message, so the request line reads {"message": "request", "status": ...}."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(getattr(record, "event", None) or record.getMessage()),
        }
        request_id = _request_id()
        if request_id:
            out["request_id"] = request_id
        for name, value in vars(record).items():
            if name in _STANDARD or name in ("event", "fields") or name.startswith("_"):
                continue
            out[name] = _clean(value)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update({k: _clean(v) for k, v in fields.items()})
        if record.exc_info:
            out["exc_info"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            out["exc_info"] = redact(record.exc_text)
        if record.stack_info:
            out["stack_info"] = redact(self.formatStack(record.stack_info))
        return json.dumps(out, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def formatter_for(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter(TEXT_FORMAT)


def configure(log_format: str = "text", level: str = "INFO") -> None:
    """Set up the root logger (create_app calls this; calling it again only
    re-applies the format). Handlers that others installed (pytest's
    capture, for one) are left alone: only plain StreamHandlers get the
    formatter."""
    root = logging.getLogger()
    formatter = formatter_for(log_format)
    plain = [h for h in root.handlers if type(h) is logging.StreamHandler]
    if not root.handlers:  # as logging.basicConfig: the level only with the first handler
        handler = logging.StreamHandler()
        root.addHandler(handler)
        root.setLevel(level)
        plain = [handler]
    for handler in plain:
        handler.setFormatter(formatter)


def request_line(record: dict, credits: int | None, key) -> None:
    """The relay's line for one request, from the request-log record
    (services.relay.run.settle, or a refusal). Never the key itself: its
    id and the visible prefix the dashboard also shows."""
    if not request_log.isEnabledFor(logging.INFO):  # LOG_LEVEL=WARNING: not even built
        return
    fields = {
        "request_id": record.get("request_id"),
        "key_id": getattr(key, "id", None),
        "key_prefix": getattr(key, "prefix", None),
        "account_id": record.get("account_id"),
        "door": record.get("door"),
        "model": record.get("model"),
        "upstream_model": record.get("upstream_model"),
        "channel_id": record.get("channel_id"),
        "stream": bool(record.get("stream")),
        "status": record.get("status"),
        "error_code": record.get("error_code"),
        "latency_ms": record.get("latency_ms"),
        "ttft_ms": record.get("ttft_ms"),
        "prompt_tokens": record.get("prompt_tokens", 0),
        "completion_tokens": record.get("completion_tokens", 0),
        "cached_tokens": record.get("cached_tokens", 0),
        "credits": credits or 0,
        "estimated": bool(record.get("estimated")),
    }
    text = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None and k != "request_id")
    request_log.info("request %s %s", fields["request_id"], text, extra={"event": "request", "fields": fields})
