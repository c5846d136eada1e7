from services.relay.tokens import (IMAGE_TOKENS, bound_text_tokens, chat_prompt_tokens, estimate_text_tokens,
                            json_value_tokens)


def test_estimate_counts_about_four_ascii_characters_per_token():
    assert estimate_text_tokens("abcdefgh") == 2
    assert estimate_text_tokens("abc") == 1
    assert estimate_text_tokens("") == 0


def test_estimate_counts_each_cjk_character_as_a_token():
    assert estimate_text_tokens("你好世界") == 4


def test_bound_is_utf8_bytes_and_never_below_the_estimate():
    for text in ("hello world", "你好", "mixed 文本 text", "x" * 1000):
        assert bound_text_tokens(text) == len(text.encode())
        assert bound_text_tokens(text) >= estimate_text_tokens(text)


def test_prompt_counts_messages_tools_and_images_not_base64_bytes():
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + "A" * 100_000}}
    body = {
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": [{"type": "text", "text": "what is this"}, image]},
        ],
        "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}],
    }
    bound = chat_prompt_tokens(body, bound=True)
    assert IMAGE_TOKENS < bound < IMAGE_TOKENS + 500
    assert chat_prompt_tokens(body, bound=False) < bound


def test_any_nesting_depth_is_counted_without_recursion():
    content = "deep"
    for level in range(100_000):
        content = [{"type": "text", "text": content}] if level % 2 else [content]
    body = {"messages": [{"role": "user", "content": content}]}
    assert chat_prompt_tokens(body, bound=True) >= len("deep")
    assert json_value_tokens(content) >= 1
