"""The OpenAPI 3.1 description of every public route: /v1 (and its alias
/api/v1), the Gemini API under /v1beta (its POST actions under /v1 too),
the JSON helper API under /api, the token API /api/tokens and Midjourney
at /mj (blueprints/apidocs/midjourney.py).

Kept in Python rather than YAML so shared pieces (the error shapes, the
alias prefix) are written once and the file needs no parser. It is kept
true by tests/blueprints/apidocs/: every route in the url_map is described
here and every path here is a route (test_coverage.py), every operation is
called with its example and the answer checked against its schema
(test_examples.py), and schemathesis fuzzes it against a live server
(test_schemathesis.py). Change a route, change this file."""
from __future__ import annotations

import copy
from functools import lru_cache

VERSION = "1.0.0"
# Every /v1 route answers under /api/v1 too (app.py registers the blueprint twice).
API_PREFIXES = ("/v1", "/api/v1")


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required=(), extra: bool = True, **more) -> dict:
    """An object schema; extra=False for the bodies we build ourselves
    field by field (our own envelopes), True where an upstream's answer
    passes through and may carry more."""
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if not extra:
        schema["additionalProperties"] = False
    schema.update(more)
    return schema


INT = {"type": "integer"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
NUM = {"type": "number"}
NULL_INT = {"type": ["integer", "null"]}
NULL_STR = {"type": ["string", "null"]}
ISO = {"type": ["string", "null"], "description": "UTC, `YYYY-MM-DDTHH:MM:SSZ`"}


def json_content(schema: dict, example=None) -> dict:
    content = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {"application/json": content}


def answer(description: str, schema: dict, example=None, headers: dict | None = None) -> dict:
    out = {"description": description, "content": json_content(schema, example)}
    if headers:
        out["headers"] = headers
    return out


# --- Error shapes --------------------------------------------------------

OPENAI_ERRORS = {
    400: "Bad body (`model_required`, `messages_required`, `invalid_request`), a refused field, or an "
         "upstream's rejection.",
    401: "Missing, malformed, unknown, disabled or expired key (`invalid_api_key`); suspended account "
         "(`api_disabled`).",
    402: "The balance or the key's spend cap cannot cover the request (`insufficient_credits`).",
    404: "Unknown, disabled or private model, or outside the key's allow-list (`model_not_available`).",
    413: "The body is over `MAX_REQUEST_BYTES` (`request_too_large`).",
    429: "A rate limit, ours or the upstream's (`rate_limited`); `Retry-After` says when to retry.",
    502: "The upstream failed, timed out or could not be reached (`provider_error`).",
    503: "The upstream is overloaded, or no channel serves the model (`provider_not_configured`).",
}
ANTHROPIC_TYPES = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
                   404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error",
                   502: "api_error", 503: "overloaded_error"}
RATE_HEADERS = {
    "x-ratelimit-limit": {"description": "Requests allowed in the window.", "schema": INT},
    "x-ratelimit-remaining": {"description": "Requests left in the window.", "schema": INT},
    "x-ratelimit-reset": {"description": "When the window resets (epoch seconds).", "schema": INT},
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": INT}}


def openai_errors(*statuses: int) -> dict:
    out = {}
    for status in statuses:
        out[str(status)] = {"description": OPENAI_ERRORS[status],
                            "content": json_content(ref("OpenAIError")),
                            **({"headers": RETRY_AFTER} if status == 429 else {})}
    return out


def anthropic_errors(*statuses: int) -> dict:
    out = {}
    for status in statuses:
        out[str(status)] = {"description": f"`{ANTHROPIC_TYPES[status]}`: " + OPENAI_ERRORS[status].split(" (`")[0]
                            + ".", "content": json_content(ref("AnthropicError")),
                            **({"headers": RETRY_AFTER} if status == 429 else {})}
    return out


GEMINI_ERRORS = {
    400: "`INVALID_ARGUMENT`: bad body (no `contents`, a bad `generationConfig`, `candidateCount` above 1), a "
         "refused field, or an upstream's rejection.",
    401: "`UNAUTHENTICATED`: missing, malformed, unknown, disabled or expired key; suspended account.",
    403: "`PERMISSION_DENIED`: the balance or the key's spend cap cannot cover the request (402 on the other "
         "routes: Gemini CLI retries a 429, and waiting adds no credits).",
    404: "`NOT_FOUND`: unknown, disabled or private model, outside the key's allow-list, or an unknown action.",
    413: "`INVALID_ARGUMENT`: the body is over `MAX_REQUEST_BYTES`.",
    429: "`RESOURCE_EXHAUSTED`: a rate limit, ours or the upstream's; `Retry-After` says when to retry.",
    502: "`UNAVAILABLE`: the upstream failed, timed out or could not be reached.",
    503: "`UNAVAILABLE`: the upstream is overloaded, or no channel serves the model.",
}


def gemini_errors(*statuses: int) -> dict:
    out = {}
    for status in statuses:
        out[str(status)] = {"description": GEMINI_ERRORS[status], "content": json_content(ref("GoogleError")),
                            **({"headers": RETRY_AFTER} if status == 429 else {})}
    return out


def store_error(description: str) -> dict:
    return {"description": description, "content": json_content(ref("StoreError"))}


def token_error(description: str) -> dict:
    return {"description": description, "content": json_content(ref("TokenError"))}


# --- Schemas -------------------------------------------------------------

USAGE = obj({"prompt_tokens": INT, "completion_tokens": INT, "total_tokens": INT,
             "credits": {"type": "integer", "description": "Credits charged."},
             "estimated": {"type": "boolean", "description": "Present when the upstream reported no usage."}},
            ["credits"])
GEMINI_CONTENT = obj({"role": {"type": "string", "examples": ["user", "model"]},
                      "parts": {"type": "array", "items": {"type": "object"},
                                "description": "`text`, `inlineData`, `fileData`, `functionCall`, "
                                               "`functionResponse` parts."}})
GEMINI_USAGE = obj({"promptTokenCount": INT, "candidatesTokenCount": INT, "totalTokenCount": INT,
                    "cachedContentTokenCount": INT, "thoughtsTokenCount": INT,
                    "credits": {"type": "integer", "description": "Credits charged."}},
                   ["promptTokenCount", "candidatesTokenCount", "totalTokenCount", "credits"],
                   description="The billed usage, on the answer (or a stream's last chunk).")
GEMINI_CHUNK_FIELDS = {
    "candidates": {"type": "array", "items": obj({"content": GEMINI_CONTENT, "finishReason": STR, "index": INT})},
    "usageMetadata": GEMINI_USAGE, "modelVersion": STR, "responseId": STR}

UNIT_PRICE = obj({"unit": STR, "price": INT}, ["unit", "price"], extra=False)
PRICING = obj({"unit": {"const": "credits per 1M tokens"}, "input": INT, "output": INT,
               "cache_read": NULL_INT, "request": INT, "cache_write": INT,
               "image": obj({"unit": STR, "tiers": {"type": "object", "additionalProperties": INT}},
                            ["unit", "tiers"], extra=False,
                            description="Credits per image by SIZE/QUALITY, SIZE, */QUALITY or *."),
               "video": obj({"unit": STR, "tiers": {"type": "object", "additionalProperties": INT}},
                            ["unit", "tiers"], extra=False,
                            description="Credits per second of video by SIZE or *."),
               "image_input": UNIT_PRICE, "character": UNIT_PRICE, "second": UNIT_PRICE, "search_unit": UNIT_PRICE},
              ["unit", "input", "output", "cache_read", "request"], extra=False)

SCHEMAS = {
    "OpenAIError": obj({"error": obj({"message": STR, "type": STR, "code": STR}, ["message", "type", "code"],
                                     extra=False, description="`type` and `code` are the same string.")},
                       ["error"], extra=False),
    "AnthropicError": obj({"type": {"const": "error"},
                           "error": obj({"type": STR, "message": STR}, ["type", "message"], extra=False)},
                          ["type", "error"], extra=False),
    "StoreError": obj({"ok": {"const": False},
                       "error": obj({"code": STR, "message": STR,
                                     "reason": {"type": "string", "description": "The rule that refused it."}},
                                    ["code", "message"], extra=False)}, ["ok", "error"], extra=False),
    "GoogleError": obj({"error": obj({"code": INT, "message": STR, "status": {
        "type": "string", "examples": ["INVALID_ARGUMENT", "UNAUTHENTICATED", "PERMISSION_DENIED", "NOT_FOUND",
                                       "RESOURCE_EXHAUSTED", "UNAVAILABLE"]}},
        ["code", "message", "status"], extra=False, description="`code` is the HTTP status.")}, ["error"], extra=False),
    "TokenError": obj({"ok": {"const": False},
                       "error": obj({"code": STR, "message": STR}, ["code", "message"], extra=False)},
                      ["ok", "error"], extra=False),

    # /v1 requests
    "ChatMessage": obj({"role": {"type": "string", "examples": ["system", "user", "assistant", "tool"]},
                        "content": {"description": "A string or a list of content parts."}}, ["role"]),
    "ChatCompletionRequest": obj({
        "model": {"type": "string", "minLength": 1},
        "messages": {"type": "array", "minItems": 1, "items": ref("ChatMessage")},
        "stream": BOOL, "max_tokens": {"type": "integer", "minimum": 1},
        "max_completion_tokens": {"type": "integer", "minimum": 1},
        "stream_options": obj({"include_usage": BOOL}),
        "temperature": NUM, "tools": {"type": "array", "items": {"type": "object"}},
    }, ["model", "messages"], description="Every other field passes to the upstream unchanged; fields that "
                                          "would steer the upstream call (`api_base`, `base_url`, `api_key`, "
                                          "`organization`, `extra_headers`, ...) are refused with 400."),
    "AnthropicMessagesRequest": obj({
        "model": {"type": "string", "minLength": 1},
        "messages": {"type": "array", "minItems": 1, "items": obj({"role": STR, "content": {}}, ["role"])},
        "max_tokens": {"type": "integer", "minimum": 1},
        "system": {"description": "A string or a list of text blocks."},
        "stream": BOOL, "tools": {"type": "array", "items": {"type": "object"}},
    }, ["model", "messages", "max_tokens"]),
    "CountTokensRequest": obj({"model": STR, "messages": {"type": "array", "items": {"type": "object"}},
                               "system": {}, "tools": {"type": "array", "items": {"type": "object"}}},
                              ["messages"]),
    "ResponsesRequest": obj({
        "model": {"type": "string", "minLength": 1},
        "input": {"oneOf": [STR, {"type": "array", "items": {"type": ["object", "string"]}}]},
        "instructions": STR, "stream": BOOL, "store": BOOL,
        "max_output_tokens": {"type": "integer", "minimum": 1},
        "previous_response_id": STR, "prompt_cache_key": STR,
        "tools": {"type": "array", "items": {"type": "object"}},
    }, ["model", "input"]),

    "CompletionRequest": obj({
        "model": {"type": "string", "minLength": 1},
        "prompt": {"oneOf": [STR, {"type": "array", "minItems": 1,
                                   "items": {"type": ["string", "integer", "array"]}}],
                   "description": "A string; arrays (several prompts, token arrays) only on a channel speaking "
                                  "`openai.completions`."},
        "max_tokens": {"type": "integer", "minimum": 1, "default": 16}, "stream": BOOL,
        "stream_options": obj({"include_usage": BOOL}), "temperature": NUM,
        "n": {"type": "integer", "minimum": 1, "maximum": 128},
        "best_of": {"type": "integer", "minimum": 1, "maximum": 20},
        "suffix": STR, "echo": BOOL, "logprobs": NULL_INT,
    }, ["model", "prompt"], description="Every other field passes to the upstream unchanged; on a channel that "
                                        "does not speak `openai.completions` the request goes as chat, and "
                                        "`suffix`, `echo`, `logprobs`, `best_of` above 1, several prompts and "
                                        "token arrays are refused with 400."),
    "EmbeddingRequest": obj({
        "model": {"type": "string", "minLength": 1},
        "input": {"oneOf": [{"type": "string", "minLength": 1},
                            {"type": "array", "minItems": 1, "maxItems": 2048,
                             "items": {"type": ["string", "integer", "array"]}}],
                  "description": "A string, strings, token ids, or arrays of token ids (none empty)."},
        "dimensions": {"type": "integer", "minimum": 1},
        "encoding_format": {"enum": ["float", "base64"], "default": "float",
                            "description": "`base64`: little-endian float32, written here from the "
                                           "upstream's floats. The openai SDK asks for it by default."},
        "user": STR,
    }, ["model", "input"], description="Billed per input token at the model's input price."),
    "ModerationRequest": obj({
        "model": {"type": "string", "minLength": 1, "default": "omni-moderation-latest"},
        "input": {"oneOf": [STR, {"type": "array", "minItems": 1, "items": {"type": ["string", "object"]}}],
                  "description": "A string, strings, or `{type: text, text}` and "
                                 "`{type: image_url, image_url: {url}}` parts."},
    }, ["input"], description="Billed at the model's request price (and its input tokens, where priced)."),
    "RerankRequest": obj({
        "model": {"type": "string", "minLength": 1},
        "query": {"type": "string", "minLength": 1},
        "documents": {"type": "array", "minItems": 1, "items": {"oneOf": [STR, obj({"text": STR}, ["text"])]}},
        "top_n": {"type": "integer", "minimum": 1}, "return_documents": BOOL,
    }, ["model", "query", "documents"], description="Jina's and Cohere's shape. Billed per search unit (a "
                                                    "query over up to 100 documents), plus tokens where the "
                                                    "model has token prices."),
    "GeminiEmbedContentRequest": obj({
        "content": GEMINI_CONTENT, "taskType": STR, "title": STR,
        "outputDimensionality": {"type": "integer", "minimum": 1},
    }, ["content"], description="Google's `EmbedContentRequest`: text parts only; `taskType` and `title` "
                                "are accepted and not sent on."),
    "GeminiBatchEmbedContentsRequest": obj({
        "requests": {"type": "array", "minItems": 1, "items": obj({
            "model": STR, "content": GEMINI_CONTENT, "taskType": STR, "title": STR,
            "outputDimensionality": {"type": "integer", "minimum": 1}}, ["content"])},
    }, ["requests"], description="One `outputDimensionality` for the whole batch."),
    "GeminiGenerateContentRequest": obj({
        "contents": {"type": "array", "minItems": 1, "items": GEMINI_CONTENT},
        "systemInstruction": GEMINI_CONTENT,
        "generationConfig": obj({"maxOutputTokens": {"type": "integer", "minimum": 1}, "temperature": NUM,
                                 "topP": NUM, "stopSequences": {"type": "array", "items": STR},
                                 "candidateCount": {"const": 1}, "responseMimeType": STR,
                                 "thinkingConfig": {"type": "object"}}),
        "tools": {"type": "array", "items": {"type": "object"}}, "toolConfig": {"type": "object"},
    }, ["contents"], description="Google's `GenerateContentRequest`; the model is the path's."),
    "GeminiCountTokensRequest": obj({
        "contents": {"type": "array", "items": GEMINI_CONTENT},
        "generateContentRequest": {"type": "object", "description": "Counted instead of `contents` when given."},
    }),

    "ImageGenerationRequest": obj({
        "model": {"type": "string", "minLength": 1}, "prompt": {"type": "string", "minLength": 1},
        "n": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1},
        "size": {"type": "string", "examples": ["1024x1024", "1792x1024", "1536x1024", "auto"]},
        "quality": {"type": "string", "examples": ["standard", "hd", "low", "medium", "high", "auto"]},
        "response_format": {"enum": ["url", "b64_json"]}, "background": STR, "output_format": STR,
        "stream": BOOL, "partial_images": {"type": "integer", "minimum": 0, "maximum": 3},
    }, ["model", "prompt"], description="Every other field passes to the upstream unchanged. Billed per image "
                                        "by `size`/`quality` (DALL·E's defaults 1024x1024 and standard; "
                                        "`auto` is held at the dearest), or by tokens for token-priced models."),
    "ImageEditUpload": obj({
        "model": {"type": "string", "minLength": 1}, "prompt": {"type": "string", "minLength": 1},
        "image": {"type": "string", "contentMediaType": "application/octet-stream",
                  "description": "A PNG, JPEG or WEBP image (repeat the field for several)."},
        "image[]": {"type": "array", "items": {"type": "string", "contentMediaType": "application/octet-stream"},
                    "description": "Several images, as the openai SDKs send a list."},
        "mask": {"type": "string", "contentMediaType": "application/octet-stream"},
        "n": {"type": "integer", "minimum": 1, "maximum": 10}, "size": STR, "quality": STR,
        "response_format": {"enum": ["url", "b64_json"]}, "stream": BOOL,
        "partial_images": {"type": "integer", "minimum": 0, "maximum": 3},
    }, ["model", "prompt"], description="Files are checked by their bytes (PNG, JPEG or WEBP, else 400 "
                                        "`invalid_image_format`) and sent on as they came, under "
                                        "`IMAGE_UPLOAD_MAX_BYTES` in all."),
    "ImageEditRequest": obj({
        "model": {"type": "string", "minLength": 1}, "prompt": {"type": "string", "minLength": 1},
        "images": {"type": "array", "minItems": 1, "items": ref("ImageReference")},
        "mask": ref("ImageReference"),
        "n": {"type": "integer", "minimum": 1, "maximum": 10}, "size": STR, "quality": STR,
        "response_format": {"enum": ["url", "b64_json"]}, "stream": BOOL,
    }, ["model", "prompt", "images"], description="GPT image models' JSON form: images by URL (or data URL) or "
                                                  "file id."),
    "ImageReference": obj({"image_url": STR, "file_id": STR}, description="`image_url` or `file_id`."),

    # /v1 answers
    "Completion": obj({
        "id": STR, "object": {"const": "text_completion"}, "created": INT, "model": STR,
        "choices": {"type": "array", "items": obj({"text": STR, "index": INT, "logprobs": {},
                                                   "finish_reason": NULL_STR})},
        "usage": USAGE,
    }, ["id", "object", "model", "choices", "usage"]),
    "ImagesResponse": obj({
        "created": INT,
        "data": {"type": "array", "items": obj({"url": STR, "b64_json": STR, "revised_prompt": STR})},
        "background": STR, "output_format": STR, "quality": STR, "size": STR,
        "usage": obj({"input_tokens": INT, "output_tokens": INT, "total_tokens": INT,
                      "input_tokens_details": obj({"text_tokens": INT, "image_tokens": INT}),
                      "credits": {"type": "integer", "description": "Credits charged."}}, ["credits"],
                     description="The upstream's token usage (GPT image models), with the credits charged."),
    }, ["data", "usage"]),
    "Embeddings": obj({
        "object": {"const": "list"}, "model": STR,
        "data": {"type": "array", "items": obj({
            "object": {"const": "embedding"}, "index": INT,
            "embedding": {"oneOf": [{"type": "array", "items": NUM}, STR],
                          "description": "Floats, or base64 (little-endian float32)."}},
            ["index", "embedding"])},
        "usage": USAGE,
    }, ["data", "model", "usage"]),
    "Moderation": obj({
        "id": STR, "model": STR,
        "results": {"type": "array", "items": obj({
            "flagged": BOOL, "categories": {"type": "object", "additionalProperties": BOOL},
            "category_scores": {"type": "object", "additionalProperties": NUM}},
            ["flagged", "categories", "category_scores"])},
    }, ["results"], description="The upstream's answer, under the client's model name."),
    "Rerank": obj({
        "model": STR,
        "results": {"type": "array", "items": obj({"index": INT, "relevance_score": NUM,
                                                   "document": obj({"text": STR})},
                                                  ["index", "relevance_score"])},
        "usage": obj({"total_tokens": INT}),
        "meta": obj({"billed_units": obj({"search_units": INT})}),
    }, ["results"], description="The upstream's answer as it came (Jina's `usage` or Cohere's `meta`), "
                                "under the client's model name."),
    "GeminiEmbedding": obj({"embedding": obj({"values": {"type": "array", "items": NUM}}, ["values"])},
                           ["embedding"]),
    "GeminiEmbeddings": obj({"embeddings": {"type": "array", "items": obj(
        {"values": {"type": "array", "items": NUM}}, ["values"])}}, ["embeddings"]),
    "GeminiGenerateContentResponse": obj(GEMINI_CHUNK_FIELDS, ["candidates", "usageMetadata"]),
    "GeminiChunk": obj(GEMINI_CHUNK_FIELDS, description="A stream chunk: the last one carries `finishReason` "
                                                         "and the billed `usageMetadata`."),
    "GeminiTokenCount": obj({"totalTokens": INT}, ["totalTokens"], extra=False),
    "GeminiModel": obj({"name": {"type": "string", "pattern": "^models/"}, "version": STR, "displayName": STR,
                        "description": STR, "supportedGenerationMethods": {"type": "array", "items": STR},
                        "inputTokenLimit": INT, "outputTokenLimit": INT},
                       ["name", "version", "displayName", "description", "supportedGenerationMethods"],
                       extra=False),
    "GeminiModelList": obj({"models": {"type": "array", "items": ref("GeminiModel")}}, ["models"], extra=False),
    "ChatCompletion": obj({
        "id": STR, "object": {"const": "chat.completion"}, "created": INT, "model": STR,
        "choices": {"type": "array", "items": obj({"index": INT, "message": obj({"role": STR}),
                                                   "finish_reason": NULL_STR})},
        "usage": USAGE,
    }, ["id", "object", "model", "choices", "usage"]),
    "AnthropicMessage": obj({
        "id": STR, "type": {"const": "message"}, "role": {"const": "assistant"}, "model": STR,
        "content": {"type": "array", "items": obj({"type": STR}, ["type"])},
        "stop_reason": NULL_STR, "stop_sequence": NULL_STR,
        "usage": obj({"input_tokens": INT, "output_tokens": INT, "credits": INT},
                     ["input_tokens", "output_tokens", "credits"]),
    }, ["id", "type", "role", "model", "content", "usage"]),
    "TokenCount": obj({"input_tokens": INT}, ["input_tokens"], extra=False),
    "Response": obj({
        "id": STR, "object": {"const": "response"}, "created_at": NUM, "model": STR,
        "status": {"type": "string", "examples": ["completed", "incomplete", "failed"]},
        "output": {"type": "array", "items": obj({"type": STR}, ["type"])},
        "usage": {"oneOf": [{"type": "null"}, obj({
            "input_tokens": INT, "output_tokens": INT, "total_tokens": INT,
            "input_tokens_details": obj({"cached_tokens": INT}),
            "output_tokens_details": obj({"reasoning_tokens": INT}), "credits": INT})]},
    }, ["id", "object", "model", "output"]),
    "ResponseDeleted": obj({"id": STR, "object": {"const": "response"}, "deleted": {"const": True}},
                           ["id", "object", "deleted"], extra=False),
    "Model": obj({"id": STR, "object": {"const": "model"}, "created": INT, "owned_by": STR,
                  "display_name": NULL_STR, "category": NULL_STR, "capabilities": {"type": "array", "items": STR},
                  "context_window": NULL_INT, "max_output_tokens": NULL_INT, "pricing": PRICING,
                  "credit_cost": INT},
                 ["id", "object", "created", "owned_by", "capabilities", "pricing"], extra=False),
    "ModelList": obj({"object": {"const": "list"}, "data": {"type": "array", "items": ref("Model")}},
                     ["object", "data"], extra=False),
    "Balance": obj({"object": {"const": "balance"}, "currency": {"const": "credits"}, "balance": INT,
                    "available": {"type": "integer", "description": "What this key can still spend."},
                    "key": obj({"name": NULL_STR, "spent": INT, "spend_cap": NULL_INT},
                               ["name", "spent", "spend_cap"], extra=False)},
                   ["object", "currency", "balance", "available", "key"], extra=False),
    "BillingSubscription": obj({"object": {"const": "billing_subscription"}, "has_payment_method": BOOL,
                                "soft_limit_usd": NUM, "hard_limit_usd": NUM, "system_hard_limit_usd": NUM,
                                "access_until": INT, "credits_per_unit": INT},
                               ["object", "has_payment_method", "soft_limit_usd", "hard_limit_usd",
                                "system_hard_limit_usd", "access_until", "credits_per_unit"], extra=False),
    "BillingUsage": obj({"object": {"const": "list"},
                         "total_usage": {"type": "number", "description": "Hundredths of a display unit."}},
                        ["object", "total_usage"], extra=False),

    # Helper API (/api)
    "Package": obj({"id": STR, "code": STR, "kind": {"enum": ["purchase", "topup"]}, "name": STR,
                    "nameZh": NULL_STR, "currency": STR, "priceCents": INT, "baseQuotaAmount": INT,
                    "bonusQuotaAmount": INT, "quotaAmount": INT},
                   ["id", "code", "kind", "name", "currency", "priceCents", "baseQuotaAmount",
                    "bonusQuotaAmount", "quotaAmount"], extra=False),
    "OrderCreated": obj({"orderNo": STR, "amountCents": INT, "priceCents": INT, "discountCents": INT,
                         "contactEmail": STR, "payUrl": STR},
                        ["orderNo", "amountCents", "priceCents", "discountCents", "contactEmail", "payUrl"],
                        extra=False),
    "Payment": obj({"orderNo": STR, "provider": STR, "amountCents": INT, "qrCode": NULL_STR,
                    "checkoutUrl": STR, "qrcodeUrl": NULL_STR,
                    "status": {"enum": ["PENDING", "PAID", "CLOSED", "REFUNDED"]}, "expiresAt": ISO},
                   ["orderNo", "provider", "amountCents", "qrCode", "checkoutUrl", "qrcodeUrl", "status",
                    "expiresAt"], extra=False),
    "Order": obj({
        "orderNo": STR, "kind": {"enum": ["purchase", "topup"]},
        "status": {"enum": ["PENDING", "PAID", "CLOSED", "REFUNDED"]}, "contactEmail": STR,
        "packageCode": STR, "packageName": STR, "currency": {"const": "CNY"}, "priceCents": INT,
        "discountCents": INT, "amountCents": INT, "couponCode": NULL_STR, "baseQuotaAmount": INT,
        "bonusQuotaAmount": INT, "quotaAmount": INT, "provider": STR, "payUrl": STR, "createdAt": ISO,
        "expiresAt": ISO, "paidAt": ISO,
        "planCode": {"type": "string", "description": "Purchases only."},
        "deliveryState": {"enum": ["PENDING", "DELIVERED"], "description": "Purchases only."},
        "keyAvailable": {"type": "boolean", "description": "Purchases only: the key can still be claimed."},
        "credited": {"type": "boolean", "description": "Top-ups only."},
        "maskedKey": NULL_STR,
    }, ["orderNo", "kind", "status", "contactEmail", "packageCode", "currency", "priceCents", "discountCents",
        "amountCents", "quotaAmount", "provider", "payUrl", "createdAt", "expiresAt", "paidAt"], extra=False),
    "PurchasedKey": obj({"orderNo": STR, "apiKey": STR, "tokenName": STR}, ["orderNo", "apiKey", "tokenName"],
                        extra=False),
    "KeyQuotaPreview": obj({"tokenName": NULL_STR, "maskedKey": STR, "availableQuota": INT, "usedQuota": INT,
                            "totalQuota": INT, "accountBalance": INT},
                           ["tokenName", "maskedKey", "availableQuota", "usedQuota", "totalQuota"], extra=False),
    "Quota": obj({"tokenName": NULL_STR, "maskedKey": STR, "totalTokens": INT, "usedTokens": INT,
                  "remainingTokens": INT, "responseTimeMs": INT},
                 ["tokenName", "maskedKey", "totalTokens", "usedTokens", "remainingTokens", "responseTimeMs"],
                 extra=False),
    "UsageLogs": obj({"items": {"type": "array", "items": obj({
        "id": STR, "modelName": NULL_STR, "quota": NULL_INT, "hasCacheHit": BOOL, "cachedTokens": NULL_INT,
        "promptTokens": NULL_INT, "completionTokens": NULL_INT, "responseTimeMs": NULL_INT,
        "firstTokenMs": NULL_INT, "stream": {"type": ["boolean", "null"]}, "status": NULL_INT,
        "errorCode": NULL_STR, "estimated": {"type": ["boolean", "null"]}, "createdAt": STR},
        ["id", "modelName", "quota", "createdAt"], extra=False)},
        "total": INT, "truncated": BOOL}, ["items", "total", "truncated"], extra=False),

    # Token API (/api/tokens)
    "Token": obj({"id": {"type": "string", "pattern": "^key_[0-9]+$"}, "displayName": NULL_STR,
                  "maskedKey": STR, "status": {"type": "string", "examples": ["ACTIVE", "REVOKED", "EXPIRED"]},
                  "createdAt": ISO, "lastUsedAt": ISO, "spent": INT, "spendCap": NULL_INT, "expiresAt": ISO,
                  "allowedModels": {"type": ["array", "null"], "items": STR}, "rpm": NULL_INT},
                 ["id", "displayName", "maskedKey", "status", "createdAt", "lastUsedAt", "spent", "spendCap",
                  "expiresAt", "allowedModels", "rpm"], extra=False),
    "TokenCreate": obj({"displayName": {"type": "string", "maxLength": 120},
                        "spendCap": {"type": ["integer", "null"], "minimum": 0, "description": "Credits."},
                        "expiresAt": {"type": ["string", "null"], "description": "`YYYY-MM-DD` or ISO time."},
                        "allowedModels": {"type": ["array", "null"], "items": STR,
                                          "description": "Model ids; null for all."},
                        "rpm": {"type": ["integer", "null"], "minimum": 1}}, ["displayName"]),
}


def envelope(data_schema: dict) -> dict:
    return obj({"ok": {"const": True}, "data": data_schema}, ["ok", "data"], extra=False)


# --- Operations ----------------------------------------------------------

OPENAI_SECURITY = [{"bearer": []}, {"apiKey": []}]


def sse(event: dict, description: str) -> dict:
    """A text/event-stream answer; the schema is that of one event as an
    SSE parser reads it (`event` is "message" when the frame names none)."""
    return {"text/event-stream": {"schema": obj(
        {"event": event, "data": {"type": "string", "contentMediaType": "application/json",
                                  "description": "JSON (`[DONE]` ends a chat stream)."},
         "id": STR, "retry": INT}, ["data"], description=description)}}


SSE_CHAT = sse({"const": "message"}, "Data-only frames: `chat.completion.chunk` objects, then `[DONE]`; a failure "
                                     "after the start is a `{\"error\": ...}` frame before `[DONE]`.")
SSE_COMPLETIONS = sse({"const": "message"}, "Data-only frames: `text_completion` objects, then `[DONE]`; a usage "
                                            "chunk (`choices: []`, with `credits`) when "
                                            "`stream_options.include_usage` is set.")
SSE_GEMINI = sse({"const": "message"}, "Data-only frames, one `GeminiChunk` each (no `[DONE]`); a failure after the "
                                       "start is a last `{\"error\": ...}` frame.")
SSE_ANTHROPIC = sse({"type": "string", "pattern": "^[a-z_]+$",
                     "examples": ["message_start", "content_block_start", "content_block_delta",
                                  "content_block_stop", "message_delta", "message_stop", "ping", "error"]},
                    "Anthropic's events, `message_start` to `message_stop`; `ping` while the upstream is "
                    "silent; `error` if it fails mid-stream.")
SSE_RESPONSES = sse({"type": "string", "pattern": "^(response\\.[a-z_.]+|error)$",
                     "examples": ["response.created", "response.in_progress", "response.output_item.added",
                                  "response.output_text.delta", "response.completed", "response.failed"]},
                    "Responses events, `response.created` to `response.completed` (or `response.incomplete`, "
                    "`response.failed`).")

SSE_IMAGES = sse({"type": "string", "pattern": "^((image_generation|image_edit)\\.[a-z_]+|error)$",
                  "examples": ["image_generation.partial_image", "image_generation.completed",
                               "image_edit.partial_image", "image_edit.completed", "error"]},
                 "The upstream's events as they come: `partial_images` `*.partial_image` events per image, then "
                 "one `*.completed` event per image (with its usage); the stream ends with the last image.")

def body(schema_name: str, example: dict) -> dict:
    return {"required": True, "content": json_content(ref(schema_name), example)}


def _v1_paths() -> dict:
    model_id = {"name": "model_id", "in": "path", "required": True, "schema": STR,
                "description": "A model id (may contain `/`).", "example": "tollgate-demo"}
    response_id = {"name": "response_id", "in": "path", "required": True, "schema": STR,
                   "example": "resp_0123456789abcdef"}
    beta = {"name": "beta", "in": "query", "required": False, "schema": STR,
            "description": "Ignored (Claude Code sends `?beta=true`)."}
    anthropic_headers = [
        {"name": "anthropic-version", "in": "header", "required": False, "schema": STR,
         "description": "Any value is accepted; forwarded to Anthropic-format channels."},
        {"name": "anthropic-beta", "in": "header", "required": False, "schema": STR,
         "description": "Forwarded to Anthropic-format channels only."}]
    lowered = {"x-tollgate-max-tokens": {"description": "Present when the output allowance was lowered to "
                                                        "what the balance covers.", "schema": INT},
               **RATE_HEADERS}
    chat_example = {"model": "tollgate-demo", "messages": [{"role": "user", "content": "Hello"}]}
    return {
        "/chat/completions": {"post": {
            "operationId": "createChatCompletion", "tags": ["OpenAI"], "summary": "Chat completion",
            "description": "OpenAI Chat Completions, streamed (`\"stream\": true`) or not. Stream chunks are "
                           "relayed one for one and end with `data: [DONE]`; a failure after the stream began "
                           "is a `data: {\"error\": ...}` event.",
            "security": OPENAI_SECURITY,
            "requestBody": body("ChatCompletionRequest", chat_example),
            "responses": {"200": {"description": "The completion, or its stream.", "headers": lowered,
                                  "content": {**json_content(ref("ChatCompletion")), **SSE_CHAT}},
                          **openai_errors(400, 401, 402, 404, 413, 429, 502, 503)}}},
        "/messages": {"post": {
            "operationId": "createMessage", "tags": ["Anthropic"], "summary": "Anthropic message",
            "description": "The Anthropic Messages API, streamed or not; errors in Anthropic's shape.",
            "security": OPENAI_SECURITY, "parameters": [beta, *anthropic_headers],
            "requestBody": body("AnthropicMessagesRequest", {**chat_example, "max_tokens": 64}),
            "responses": {"200": {"description": "The message, or its event stream (`message_start` ... "
                                                 "`message_stop`, `ping`, `error`).", "headers": lowered,
                                  "content": {**json_content(ref("AnthropicMessage")), **SSE_ANTHROPIC}},
                          **anthropic_errors(400, 401, 402, 404, 413, 429, 502, 503)}}},
        "/messages/count_tokens": {"post": {
            "operationId": "countTokens", "tags": ["Anthropic"], "summary": "Count input tokens",
            "description": "Answered locally, never by spending upstream tokens.",
            "security": OPENAI_SECURITY, "parameters": [beta, *anthropic_headers],
            "requestBody": body("CountTokensRequest", chat_example),
            "responses": {"200": answer("The count.", ref("TokenCount"), {"input_tokens": 12}, RATE_HEADERS),
                          **anthropic_errors(400, 401, 413, 429)}}},
        "/responses": {"post": {
            "operationId": "createResponse", "tags": ["OpenAI"], "summary": "Create a response",
            "description": "OpenAI's Responses API, streamed or not, on any channel. Kept for "
                           "`RESPONSES_TTL_DAYS` unless `\"store\": false`.",
            "security": OPENAI_SECURITY,
            "requestBody": body("ResponsesRequest", {"model": "tollgate-demo", "input": "Hello"}),
            "responses": {"200": {"description": "The response, or its event stream (`response.created` ... "
                                                 "`response.completed`).", "headers": lowered,
                                  "content": {**json_content(ref("Response")), **SSE_RESPONSES}},
                          **openai_errors(400, 401, 402, 404, 413, 429, 502, 503)}}},
        "/responses/{response_id}": {
            "get": {"operationId": "getResponse", "tags": ["OpenAI"], "summary": "Get a stored response",
                    "security": OPENAI_SECURITY, "parameters": [response_id],
                    "responses": {"200": answer("The stored response.", ref("Response"), headers=RATE_HEADERS),
                                  **openai_errors(401, 429),
                                  "404": {"description": "No such response for this account (`not_found`).",
                                          "content": json_content(ref("OpenAIError"))}}},
            "delete": {"operationId": "deleteResponse", "tags": ["OpenAI"], "summary": "Delete a stored response",
                       "security": OPENAI_SECURITY, "parameters": [response_id],
                       "responses": {"200": answer("Deleted.", ref("ResponseDeleted"), headers=RATE_HEADERS),
                                     **openai_errors(401, 429),
                                     "404": {"description": "No such response for this account (`not_found`).",
                                             "content": json_content(ref("OpenAIError"))}}}},
        "/completions": {"post": {
            "operationId": "createCompletion", "tags": ["OpenAI"], "summary": "Legacy completion",
            "description": "OpenAI's legacy completions API (`client.completions.create`), streamed or not. "
                           "`max_tokens` defaults to 16, as in OpenAI's API.",
            "security": OPENAI_SECURITY,
            "requestBody": body("CompletionRequest", {"model": "tollgate-demo", "prompt": "Once upon a time",
                                                      "max_tokens": 16}),
            "responses": {"200": {"description": "The completion, or its stream.", "headers": lowered,
                                  "content": {**json_content(ref("Completion")), **SSE_COMPLETIONS}},
                          **openai_errors(400, 401, 402, 404, 413, 429, 502, 503)}}},
        "/images/generations": {"post": {
            "operationId": "createImage", "tags": ["OpenAI"], "summary": "Create an image",
            "description": "OpenAI's image generation (`client.images.generate`), passed to a channel that speaks "
                           "`openai.images`; streamed partial images with `\"stream\": true`. The hold is `n` "
                           "images at the dearest price the size and quality can have, plus a token bound for "
                           "token-priced models; the charge is the images and tokens the answer reports. A model with "
                           "the `async` capability answers at once with an `ImageTask` instead (see "
                           "`getImageTask`).",
            "security": OPENAI_SECURITY,
            "requestBody": body("ImageGenerationRequest", {"model": "dall-e-3", "prompt": "A lighthouse at dawn",
                                                           "n": 1, "size": "1024x1024", "quality": "standard"}),
            "responses": {"200": {"description": "The images, or their event stream.", "headers": RATE_HEADERS,
                                  "content": {**json_content({"anyOf": [ref("ImagesResponse"), ref("ImageTask")]}),
                                              **SSE_IMAGES}},
                          **openai_errors(400, 401, 402, 404, 413, 429, 502, 503)}}},
        "/images/edits": {"post": {
            "operationId": "createImageEdit", "tags": ["OpenAI"], "summary": "Edit an image",
            "description": "OpenAI's image edits (`client.images.edit`): a multipart upload of `image` (or "
                           "`image[]`, repeated) and `mask`, or JSON with image references. Billed as image "
                           "generation, input images at the image input price for token-priced models.",
            "security": OPENAI_SECURITY,
            "requestBody": {"required": True, "content": {
                "multipart/form-data": {"schema": ref("ImageEditUpload"),
                                        "encoding": {"image": {"contentType": "image/png, image/jpeg, image/webp"},
                                                     "mask": {"contentType": "image/png"}}},
                **json_content(ref("ImageEditRequest"), {
                    "model": "dall-e-3", "prompt": "Add a red scarf",
                    "images": [{"image_url": "https://images.example.com/cat.png"}]})}},
            "responses": {"200": {"description": "The images, or their event stream.", "headers": RATE_HEADERS,
                                  "content": {**json_content(ref("ImagesResponse")), **SSE_IMAGES}},
                          **openai_errors(400, 401, 402, 404, 429, 502, 503),
                          "413": {"description": "The body is over `IMAGE_UPLOAD_MAX_BYTES` (`request_too_large`); "
                                                 "refused before it is read when its length says so.",
                                  "content": json_content(ref("OpenAIError"))}}}},
        "/embeddings": {"post": {
            "operationId": "createEmbedding", "tags": ["OpenAI"], "summary": "Create embeddings",
            "description": "OpenAI embeddings (`client.embeddings.create`) on a channel that speaks "
                           "`openai.embeddings`. The upstream is asked for floats; the answer is in the "
                           "`encoding_format` the client asked for. Billed per input token: the hold is "
                           "the input's bound, the charge the upstream's `prompt_tokens` (else our estimate).",
            "security": OPENAI_SECURITY,
            "requestBody": body("EmbeddingRequest", {"model": "tollgate-embed", "input": ["Hello", "World"],
                                                     "encoding_format": "float"}),
            "responses": {"200": answer("The vectors, with the credits charged in `usage`.", ref("Embeddings"),
                                        headers=RATE_HEADERS),
                          **openai_errors(400, 401, 402, 404, 413, 429, 502, 503)}}},
        "/moderations": {"post": {
            "operationId": "createModeration", "tags": ["OpenAI"], "summary": "Classify content",
            "description": "OpenAI moderations (`client.moderations.create`) on a channel that speaks "
                           "`openai.moderations`; the model defaults to `omni-moderation-latest`. Billed at "
                           "the model's request price, and per input token where the operator prices them "
                           "(the upstream reports no usage: the local estimate).",
            "security": OPENAI_SECURITY,
            "requestBody": body("ModerationRequest", {"model": "tollgate-moderation", "input": "Hello"}),
            "responses": {"200": answer("The results.", ref("Moderation"), headers=RATE_HEADERS),
                          **openai_errors(400, 401, 402, 404, 413, 429, 502, 503)}}},
        "/rerank": {"post": {
            "operationId": "createRerank", "tags": ["OpenAI"], "summary": "Rerank documents",
            "description": "Documents ordered by relevance to the query (Jina's and Cohere's API) on a channel "
                           "that speaks `openai.rerank`. Billed per search unit (ceil(documents / 100), or "
                           "Cohere's `meta.billed_units.search_units`), plus Jina's `usage.total_tokens` where "
                           "the model has token prices.",
            "security": OPENAI_SECURITY,
            "requestBody": body("RerankRequest", {"model": "tollgate-rerank", "query": "apples",
                                                  "documents": ["red apples", "blue sky"], "top_n": 1,
                                                  "return_documents": True}),
            "responses": {"200": answer("The ranking.", ref("Rerank"), headers=RATE_HEADERS),
                          **openai_errors(400, 401, 402, 404, 413, 429, 502, 503)}}},
        "/models": {"get": {
            "operationId": "listModels", "tags": ["OpenAI"], "summary": "List models",
            "description": "Enabled models that a channel serves and this key may use.",
            "security": OPENAI_SECURITY,
            "responses": {"200": answer("The models.", ref("ModelList"), headers=RATE_HEADERS),
                          **openai_errors(401, 429)}}},
        "/models/{model_id}": {"get": {
            "operationId": "getModel", "tags": ["OpenAI"], "summary": "Get a model",
            "security": OPENAI_SECURITY, "parameters": [model_id],
            "responses": {"200": answer("The model.", ref("Model"), headers=RATE_HEADERS),
                          **openai_errors(401, 404, 429)}}},
        "/balance": {"get": {
            "operationId": "getBalance", "tags": ["Account"], "summary": "Balance",
            "security": OPENAI_SECURITY,
            "responses": {"200": answer("The account's balance and this key's spending.", ref("Balance"),
                                        headers=RATE_HEADERS),
                          **openai_errors(401, 429)}}},
        "/dashboard/billing/subscription": {"get": {
            "operationId": "getBillingSubscription", "tags": ["Account"], "summary": "Billing subscription",
            "description": "For chat front-ends: amounts in display units of `CREDITS_PER_DISPLAY_UNIT` credits.",
            "security": OPENAI_SECURITY,
            "responses": {"200": answer("The limits.", ref("BillingSubscription"), headers=RATE_HEADERS),
                          **openai_errors(401, 429)}}},
        "/dashboard/billing/usage": {"get": {
            "operationId": "getBillingUsage", "tags": ["Account"], "summary": "Billing usage",
            "security": OPENAI_SECURITY,
            "parameters": [{"name": name, "in": "query", "required": False, "schema": STR,
                            "description": "Accepted and ignored (the key's whole spending is shown)."}
                           for name in ("start_date", "end_date")],
            "responses": {"200": answer("The key's spending.", ref("BillingUsage"), headers=RATE_HEADERS),
                          **openai_errors(401, 429)}}},
    }


GEMINI_SECURITY = [{"googApiKey": []}, {"googKeyQuery": []}, {"bearer": []}]
GEMINI_ACTIONS = ("generateContent", "streamGenerateContent", "countTokens", "embedContent", "batchEmbedContents")


def _gemini_actions(prefix: str) -> dict:
    """POST {prefix}/models/{model}:{action}, one path per action (Flask
    routes them as one `<path:target>`, split at the last colon)."""
    model = {"name": "model", "in": "path", "required": True, "schema": STR, "example": "tollgate-demo",
             "description": "A model id (may contain `/`; `models/` in front is accepted)."}
    alt = {"name": "alt", "in": "query", "required": False, "schema": {"type": "string", "examples": ["sse"]},
           "description": "`sse`: a `text/event-stream`; anything else (or none): one JSON array of chunks."}
    generate = {"contents": [{"role": "user", "parts": [{"text": "Hello"}]}],
                "generationConfig": {"maxOutputTokens": 64}}
    lowered = {"x-tollgate-max-tokens": {"description": "Present when the output allowance was lowered to "
                                                        "what the balance covers.", "schema": INT},
               **RATE_HEADERS}
    alias = "" if prefix == "/v1beta" else (
        "\n\nThe same as under `/v1beta`: google-genai 3.x given a base URL calls `/v1/models/...`.")
    op_id = (lambda name: name) if prefix == "/v1beta" else (lambda name: "v1_" + name)
    errors = gemini_errors(400, 401, 403, 404, 413, 429, 502, 503)
    count_errors = gemini_errors(400, 401, 404, 413, 429)
    count_errors["404"] = {**count_errors["404"], "description": "`NOT_FOUND`: an unknown action, or a path no "
                                                                 "route matches (the model is not read)."}
    if prefix != "/v1beta":
        # A path no route matches (a line break in the model: Flask's `path`
        # does not match one) gets the /v1 fallback 404, in OpenAI's shape.
        for out in (errors, count_errors):
            out["404"] = {"description": out["404"]["description"] + " A path no route matches (a line break "
                                                                     "in the model) is OpenAI's 404 under `/v1`.",
                          "content": json_content({"anyOf": [ref("GoogleError"), ref("OpenAIError")]})}
    return {
        f"{prefix}/models/{{model}}:generateContent": {"post": {
            "operationId": op_id("generateContent"), "tags": ["Gemini"], "summary": "Generate content",
            "description": "One answer, from any channel: a Gemini channel gets the request as it is, any other "
                           "gets it converted to chat." + alias,
            "security": GEMINI_SECURITY, "parameters": [model],
            "requestBody": body("GeminiGenerateContentRequest", generate),
            "responses": {"200": answer("The answer, with the billed `usageMetadata`.",
                                        ref("GeminiGenerateContentResponse"), headers=lowered), **errors}}},
        f"{prefix}/models/{{model}}:streamGenerateContent": {"post": {
            "operationId": op_id("streamGenerateContent"), "tags": ["Gemini"], "summary": "Stream generated content",
            "description": "With `?alt=sse` SSE frames (`data: <chunk>`, no `[DONE]`); without it one JSON "
                           "array of chunks, as Google serves it. The last chunk has `finishReason` and the "
                           "billed `usageMetadata`; a failure after the start is a last `{\"error\": ...}` "
                           "element." + alias,
            "security": GEMINI_SECURITY, "parameters": [model, alt],
            "requestBody": body("GeminiGenerateContentRequest", generate),
            "responses": {"200": {"description": "The stream.", "headers": lowered, "content": {
                **json_content({"type": "array", "items": {"anyOf": [ref("GeminiChunk"), ref("GoogleError")]}}),
                **SSE_GEMINI}}, **errors}}},
        f"{prefix}/models/{{model}}:countTokens": {"post": {
            "operationId": op_id("countGeminiTokens"), "tags": ["Gemini"], "summary": "Count Gemini tokens",
            "description": "Answered locally: free, never in the request log. The body is `{contents}` or "
                           "`{generateContentRequest}`." + alias,
            "security": GEMINI_SECURITY, "parameters": [model],
            "requestBody": body("GeminiCountTokensRequest", {"contents": generate["contents"]}),
            "responses": {"200": answer("The count.", ref("GeminiTokenCount"), {"totalTokens": 3}, RATE_HEADERS),
                          **count_errors}}},
        f"{prefix}/models/{{model}}:embedContent": {"post": {
            "operationId": op_id("embedContent"), "tags": ["Gemini"], "summary": "Embed content",
            "description": "One embedding, from a channel that speaks `openai.embeddings` (the content's text "
                           "parts as one input). Billed as `/v1/embeddings` is." + alias,
            "security": GEMINI_SECURITY, "parameters": [model],
            "requestBody": body("GeminiEmbedContentRequest", {"content": {"parts": [{"text": "Hello"}]}}),
            "responses": {"200": answer("The embedding.", ref("GeminiEmbedding"), headers=RATE_HEADERS),
                          **errors}}},
        f"{prefix}/models/{{model}}:batchEmbedContents": {"post": {
            "operationId": op_id("batchEmbedContents"), "tags": ["Gemini"], "summary": "Embed contents in a batch",
            "description": "What google-genai's `models.embed_content` calls: one embedding per request, in "
                           "order, from a channel that speaks `openai.embeddings`." + alias,
            "security": GEMINI_SECURITY, "parameters": [model],
            "requestBody": body("GeminiBatchEmbedContentsRequest", {"requests": [
                {"model": "models/tollgate-demo", "content": {"parts": [{"text": "Hello"}]}},
                {"model": "models/tollgate-demo", "content": {"parts": [{"text": "World"}]}}]}),
            "responses": {"200": answer("The embeddings.", ref("GeminiEmbeddings"), headers=RATE_HEADERS),
                          **errors}}},
    }


def _gemini_paths() -> dict:
    model = {"name": "model", "in": "path", "required": True, "schema": STR, "example": "tollgate-demo",
             "description": "A model id, or a name the operator aliased to one (`models/` in front is accepted)."}
    return {
        "/v1beta/models": {"get": {
            "operationId": "listGeminiModels", "tags": ["Gemini"], "summary": "List Gemini models",
            "description": "The models this key may use, as Google lists them (`name` is `models/<id>`).",
            "security": GEMINI_SECURITY,
            "responses": {"200": answer("The models.", ref("GeminiModelList"), headers=RATE_HEADERS),
                          **gemini_errors(401, 429)}}},
        "/v1beta/models/{model}": {"get": {
            "operationId": "getGeminiModel", "tags": ["Gemini"], "summary": "Get a Gemini model",
            "security": GEMINI_SECURITY, "parameters": [model],
            "responses": {"200": answer("The model.", ref("GeminiModel"), headers=RATE_HEADERS),
                          **gemini_errors(401, 404, 429)}}},
        **_gemini_actions("/v1beta"),
        **_gemini_actions("/v1"),
    }


ORDER_EXAMPLE = {"orderNo": "BUY202612020101ABC123", "contactEmail": "you@example.com"}
BAD_PAYLOAD = "`invalid_payload`: not a JSON object, a required field missing or of the wrong type."
LIMITED = store_error("`RATE_LIMIT`: too many lookups from this address (`STOREFRONT_LOOKUP_RPM`).")


def _store_op(op_id: str, summary: str, data: dict, *, request: dict | None = None, example: dict | None = None,
              status: int = 200, errors: dict | None = None, description: str | None = None) -> dict:
    op = {"operationId": op_id, "tags": ["Store"], "summary": summary,
          "responses": {str(status): answer("Success.", envelope(data))}}
    if description:
        op["description"] = description
    if request is not None:
        op["requestBody"] = {"required": True, "content": json_content(request, example)}
        op["responses"].update({"400": store_error(BAD_PAYLOAD),
                                "413": store_error("`invalid_payload`: over `MAX_REQUEST_BYTES`."),
                                "429": LIMITED})
    op["responses"].update(errors or {})
    return op


def _fields(required: dict, optional: dict | None = None) -> dict:
    """A helper-API body: strings required; every value a string, integer
    or boolean (or null)."""
    return obj({**required, **(optional or {})}, list(required),
               additionalProperties={"type": ["string", "integer", "boolean", "null"]})


NONEMPTY = {"type": "string", "minLength": 1, "pattern": r"\S"}
ORDER_BODY = _fields({"orderNo": NONEMPTY, "contactEmail": NONEMPTY})
KEY_BODY = _fields({"apiKey": NONEMPTY})


def _not_found(code: str) -> dict:
    return {"404": store_error(f"`{code}`: unknown order, or the wrong email (alike).")}


def _failed(code: str) -> dict:
    return {"400": store_error(f"`invalid_payload` (bad body), or `{code}` with a `reason` (`email_invalid`, "
                               "`package_unknown`, `key_invalid`, `coupon_invalid`, `coupon_expired`, "
                               "`coupon_not_applicable`, `coupon_used_up`, `payment_unavailable`, "
                               "`order_expired`).")}


def _store_paths() -> dict:
    packages = {"type": "array", "items": ref("Package")}
    return {
        "/api/topup/packages": {"get": _store_op("listTopupPackages", "Top-up packages", packages)},
        "/api/purchase/plans": {"get": _store_op("listPurchasePlans", "Purchase plans", packages)},
        "/api/purchase/orders": {"post": _store_op(
            "createPurchaseOrder", "Create a purchase order", ref("OrderCreated"), status=201,
            request=_fields({"planCode": NONEMPTY}, {"email": STR, "contactEmail": STR, "couponCode": STR,
                                                     "sourcePage": STR}),
            example={"planCode": "plan_20", "email": "you@example.com"},
            errors=_failed("purchase_order_create_failed"))},
        "/api/purchase/pay": {"post": _store_op(
            "payPurchaseOrder", "Pay a purchase order", ref("Payment"), request=ORDER_BODY, example=ORDER_EXAMPLE,
            errors={**_failed("purchase_pay_failed"), **_not_found("purchase_order_not_found")})},
        "/api/purchase/query": {"post": _store_op(
            "queryPurchaseOrder", "Query a purchase order", ref("Order"), request=ORDER_BODY,
            example=ORDER_EXAMPLE, errors=_not_found("purchase_order_not_found"),
            description="While pending, also asks the payment provider (at most once per "
                        "`PAYMENT_QUERY_INTERVAL`).")},
        "/api/purchase/key": {"post": _store_op(
            "claimPurchasedKey", "Claim the purchased key (once)", ref("PurchasedKey"), request=ORDER_BODY,
            example=ORDER_EXAMPLE,
            errors={**_not_found("purchase_order_not_found"),
                    "409": store_error("`purchase_key_unavailable`: the order is not paid yet."),
                    "410": store_error("`purchase_key_unavailable`: the key was already handed over.")})},
        "/api/topup/preview": {"post": _store_op(
            "previewTopup", "Preview a key before topping it up", ref("KeyQuotaPreview"), request=KEY_BODY,
            example={"apiKey": "sk-your-api-key"}, errors=_failed("topup_preview_failed"))},
        "/api/topup/orders": {"post": _store_op(
            "createTopupOrder", "Create a top-up order", ref("OrderCreated"), status=201,
            request=_fields({"apiKey": NONEMPTY, "packageCode": NONEMPTY, "contactEmail": NONEMPTY},
                            {"couponCode": STR, "sourcePage": STR}),
            example={"apiKey": "sk-your-api-key", "packageCode": "topup_20", "contactEmail": "you@example.com"},
            errors=_failed("topup_order_create_failed"))},
        "/api/topup/pay": {"post": _store_op(
            "payTopupOrder", "Pay a top-up order", ref("Payment"), request=ORDER_BODY,
            example={**ORDER_EXAMPLE, "orderNo": "TOP202612020101ABC123"},
            errors={**_failed("topup_pay_failed"), **_not_found("topup_order_not_found")})},
        "/api/topup/query": {"post": _store_op(
            "queryTopupOrder", "Query a top-up order", ref("Order"), request=ORDER_BODY,
            example={**ORDER_EXAMPLE, "orderNo": "TOP202612020101ABC123"},
            errors=_not_found("topup_order_not_found"))},
        "/api/quota/query": {"post": _store_op(
            "queryQuota", "Quota of a key", ref("Quota"), request=KEY_BODY, example={"apiKey": "sk-your-api-key"},
            errors={"400": store_error(BAD_PAYLOAD + " `INVALID_KEY`: the key was not accepted.")})},
        "/api/usage/logs": {"post": _store_op(
            "usageLogs", "Recent requests of a key", ref("UsageLogs"),
            request=_fields({"apiKey": NONEMPTY}, {"limit": {"type": "integer", "minimum": 1, "default": 50,
                                                             "description": "At most 200 are returned."}}),
            example={"apiKey": "sk-your-api-key", "limit": 20},
            errors={"400": store_error(BAD_PAYLOAD + " `INVALID_KEY`: the key was not accepted; or a bad "
                                                     "`limit`.")})},
    }


def _token_paths() -> dict:
    token_id = {"name": "token_id", "in": "path", "required": True, "example": "key_1",
                "schema": {"type": "string", "pattern": "^(key_)?[0-9]{1,10}$"},
                "description": "`key_<n>` as listed, or a bare `<n>`."}
    security = [{"session": [], "csrf": []}]
    read_security = [{"session": []}]
    unauthorized = token_error("`unauthorized`: not signed in.")
    csrf = token_error("`invalid_request`: the CSRF token is missing or invalid.")
    foreign = token_error("`invalid_request`: a cross-site request (a foreign `Origin`).")
    missing = token_error("`not_found`: no such key for this user.")
    token = obj({"ok": {"const": True}, "token": ref("Token")}, ["ok", "token"], extra=False)
    return {
        "/api/tokens": {
            "get": {"operationId": "listTokens", "tags": ["Tokens"], "summary": "List your keys",
                    "security": read_security,
                    "responses": {"200": answer("Your keys.", obj({"ok": {"const": True},
                                                                   "items": {"type": "array",
                                                                             "items": ref("Token")}},
                                                                  ["ok", "items"], extra=False)),
                                  "401": unauthorized}},
            "post": {"operationId": "createToken", "tags": ["Tokens"], "summary": "Create a key",
                     "security": security,
                     "requestBody": {"required": True, "content": json_content(
                         ref("TokenCreate"), {"displayName": "Default Key", "spendCap": 500000000, "rpm": 60})},
                     "responses": {"201": answer("The key, shown this once in `plainKey`.", obj(
                         {"ok": {"const": True}, "token": ref("Token"), "plainKey": STR},
                         ["ok", "token", "plainKey"], extra=False)),
                         "400": token_error("`invalid_payload`, `name_required`, `name_too_long`, "
                                            "`invalid_spend_cap`, `invalid_rpm`, `invalid_expiry`, "
                                            "`invalid_models`, `unknown_model`, `too_many_keys`; or "
                                            "`invalid_request` (CSRF)."),
                         "401": unauthorized, "403": foreign,
                         "413": token_error("`invalid_payload`: over `MAX_REQUEST_BYTES`.")}}},
        "/api/tokens/{token_id}/disable": {"patch": {
            "operationId": "disableToken", "tags": ["Tokens"], "summary": "Revoke a key",
            "security": security, "parameters": [token_id],
            "responses": {"200": answer("The key, now `REVOKED`.", token), "400": csrf, "401": unauthorized,
                          "403": foreign, "404": missing}}},
        "/api/tokens/{token_id}": {"delete": {
            "operationId": "deleteToken", "tags": ["Tokens"], "summary": "Delete a key",
            "security": security, "parameters": [token_id],
            "responses": {"200": answer("Deleted.", obj({"ok": {"const": True}}, ["ok"], extra=False),
                                        {"ok": True}),
                          "400": csrf, "401": unauthorized, "403": foreign, "404": missing}}},
    }


TAGS = [
    {"name": "OpenAI", "description": "OpenAI-compatible: Chat Completions, Responses, models. Errors: "
                                      "`{\"error\": {\"message\", \"type\", \"code\"}}`."},
    {"name": "Anthropic", "description": "Anthropic-compatible: Messages. Errors: "
                                         "`{\"type\": \"error\", \"error\": {\"type\", \"message\"}}`."},
    {"name": "Gemini", "description": "Google's Gemini API (Gemini CLI, google-genai) on every channel. Keys in "
                                      "`x-goog-api-key`, `?key=` or `Authorization: Bearer`. Errors: "
                                      "`{\"error\": {\"code\", \"message\", \"status\"}}`."},
    {"name": "Account", "description": "Balance and the billing endpoints chat front-ends read."},
    {"name": "Store", "description": "The storefront's JSON helper API: no cookies; callers prove themselves "
                                     "with an order number plus its email, or a key, in the body. "
                                     "`{\"ok\": true, \"data\"}` or `{\"ok\": false, \"error\": {\"code\", "
                                     "\"message\", \"reason\"?}}`."},
    {"name": "Tokens", "description": "The dashboard's token API for the signed-in user's own keys: the session "
                                      "cookie authenticates, writes need the page's CSRF token in `X-CSRFToken`."},
]


def _operation_alias(op: dict, prefix: str) -> dict:
    op = copy.deepcopy(op)
    op["operationId"] = "apiV1_" + op["operationId"]
    op["description"] = (op.get("description", "") + f"\n\nThe same as under `/v1` (alias `{prefix}`).").strip()
    return op


@lru_cache(maxsize=1)
def _build() -> dict:
    from blueprints.apidocs import midjourney, tasks  # they build on this module's helpers
    from blueprints.apidocs.audio import audio_paths
    from blueprints.apidocs.realtime import realtime_paths
    from blueprints.apidocs.videos import video_paths
    from blueprints.apidocs import video_tasks

    SCHEMAS.update(tasks.SCHEMAS)
    paths = {}
    for prefix in API_PREFIXES:
        for path, item in {**_v1_paths(), **audio_paths(), **video_paths(), **realtime_paths(),
                           **tasks.image_task_paths()}.items():
            if prefix != "/v1":
                item = {method: _operation_alias(op, prefix) for method, op in item.items()}
            paths[prefix + path] = item
    paths.update(_gemini_paths())
    paths.update(_store_paths())
    paths.update(_token_paths())
    paths.update(midjourney.mj_paths())
    paths.update(tasks.suno_paths())
    paths.update(video_tasks.task_paths())
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tollgate API", "version": VERSION,
                 "description": "An LLM API relay: OpenAI-, Anthropic- and Gemini-compatible routes billed in "
                                "prepaid credits, the storefront's JSON helper API and the dashboard's token API. "
                                "Every response carries `x-request-id`."},
        "servers": [{"url": "/", "description": "This site"}],
        "tags": [*TAGS, midjourney.TAG, tasks.TAG, *video_tasks.TAGS],
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **midjourney.SCHEMAS, **video_tasks.SCHEMAS},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer sk-...`"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key",
                           "description": "`x-api-key: sk-...` (Anthropic clients); accepted on every /v1 route."},
                "googApiKey": {"type": "apiKey", "in": "header", "name": "x-goog-api-key",
                               "description": "`x-goog-api-key: sk-...` (Gemini clients); Gemini routes only."},
                "googKeyQuery": {"type": "apiKey", "in": "query", "name": "key",
                                 "description": "`?key=sk-...`; Gemini routes only."},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "The dashboard's session cookie (`__Host-tollgate` in production)."},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                         "description": "The page's CSRF token (`<meta name=\"csrf-token\">`), on writes."},
                "mjApiSecret": midjourney.SECURITY_SCHEME,
            },
        },
    }


def spec() -> dict:
    """The description (a fresh copy: callers may change it)."""
    return copy.deepcopy(_build())
