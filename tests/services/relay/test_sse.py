from services.relay.sse import SSEBuffer, parse_event


def test_events_come_out_whole_however_the_bytes_are_split():
    stream = b'data: {"a":1}\n\ndata: {"b":2}\n\n: keep-alive\n\nevent: ping\ndata: {}\n\n'
    for size in (1, 2, 3, 7, len(stream)):
        buffer = SSEBuffer()
        events = []
        for i in range(0, len(stream), size):
            events += buffer.feed(stream[i:i + size])
        assert events == [b'data: {"a":1}\n\n', b'data: {"b":2}\n\n', b": keep-alive\n\n",
                          b"event: ping\ndata: {}\n\n"]


def test_crlf_line_endings_are_normalised():
    assert SSEBuffer().feed(b"data: x\r\n\r\n") == [b"data: x\n\n"]


def test_multibyte_characters_split_across_reads_survive():
    text = "data: 你好\n\n".encode()
    buffer = SSEBuffer()
    events = buffer.feed(text[:8]) + buffer.feed(text[8:])
    assert parse_event(events[0]) == (None, "你好")


def test_parse_event_name_data_and_comments():
    assert parse_event(b"event: message_start\ndata: {\"x\":1}\n\n") == ("message_start", '{"x":1}')
    assert parse_event(b": ping\n\n") == (None, None)
    assert parse_event(b"data: a\ndata: b\n\n") == (None, "a\nb")


def test_flush_returns_an_unterminated_last_event():
    buffer = SSEBuffer()
    assert buffer.feed(b"data: [DONE]") == []
    assert buffer.flush() == b"data: [DONE]\n\n"
    assert buffer.flush() is None
