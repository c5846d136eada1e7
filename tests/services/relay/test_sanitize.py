import pytest

from services.relay.sanitize import sanitize

KEY = "sk-upstream-secret-0123456789abcdef"


@pytest.mark.parametrize("text", [
    f"Incorrect API key provided: {KEY}. You can find your API key at https://platform.openai.com/account/api-keys.",
    f"Incorrect API key provided: sk-ups***cdef",
    f"Authorization: Bearer {KEY}",
    f"api_key={KEY}",
])
def test_keys_and_urls_are_removed(text):
    clean = sanitize(text, (KEY,))
    assert "sk-ups" not in clean and KEY not in clean
    assert "https://" not in clean


def test_channel_secrets_and_internal_addresses_are_removed():
    clean = sanitize("connect to http://10.0.0.5:8080/v1 failed (10.0.0.5:8080) token abc",
                     ("http://10.0.0.5:8080/v1",))
    assert "10.0.0.5" not in clean


def test_stack_traces_are_cut():
    text = 'Internal error\nTraceback (most recent call last):\n  File "/srv/app.py", line 3\nKeyError: x'
    assert sanitize(text) == "Internal error"


def test_long_messages_are_truncated():
    assert len(sanitize("word " * 1000)) <= 501


def test_plain_messages_pass():
    assert sanitize("max_tokens must be at most 8192") == "max_tokens must be at most 8192"
