"""Server-sent events, split exactly as received so they can be relayed one
for one."""
from __future__ import annotations


class SSEBuffer:
    """Feed raw bytes as they arrive; get back complete event blocks, each
    ending in a blank line. Partial events (and partial UTF-8) stay buffered."""

    __slots__ = ("_buf",)

    def __init__(self):
        self._buf = b""

    def feed(self, data: bytes) -> list[bytes]:
        buf = self._buf + data
        if b"\r" in buf:
            buf = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        events = []
        start = 0
        while True:
            end = buf.find(b"\n\n", start)
            if end == -1:
                break
            events.append(buf[start:end + 2])
            start = end + 2
        self._buf = buf[start:]
        return events

    def flush(self) -> bytes | None:
        """What is left at end of stream, as a final event, if anything."""
        rest, self._buf = self._buf.strip(), b""
        return rest + b"\n\n" if rest else None


def parse_event(block: bytes) -> tuple[str | None, str | None]:
    """(event name, data) of one block; data lines joined by newlines. Both
    None for a comment-only block (keep-alives)."""
    name = None
    data_lines = []
    for line in block.split(b"\n"):
        if not line or line.startswith(b":"):
            continue
        field, _, value = line.partition(b":")
        if value.startswith(b" "):
            value = value[1:]
        if field == b"data":
            data_lines.append(value)
        elif field == b"event":
            name = value.decode("utf-8", "replace")
    if not data_lines:
        return name, None
    return name, b"\n".join(data_lines).decode("utf-8", "replace")
