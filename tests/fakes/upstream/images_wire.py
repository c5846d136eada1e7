"""OpenAI's images API on the wire: POST /v1/images/generations (JSON) and
/v1/images/edits (multipart with repeated `image` / `image[]` files and a
`mask`, or JSON with `images: [{image_url} | {file_id}]`).

Models named like `dall-e*` answer as DALL·E does: `data` of `{url}` or
`{b64_json}` (by `response_format`, url by default), no usage. Any other
model answers as the GPT image models do: `{b64_json}` images, the `size`
and `quality` made ("auto" becomes 1024x1024 / high) and token usage. With
`stream: true` (GPT image models only: DALL·E's is a 400, as OpenAI's) each image is
`partial_images` `*.partial_image` events then one `*.completed` event with
that image's usage; the body then ends.

A `[[fake {...}]]` directive in the prompt sets `usage` (an object: the
usage of the whole answer; streamed, each image's), `images` (how many to
answer, default `n`), `status` and `error_message` (an OpenAI error), and
`delay` (seconds between stream events) and `break_after` (cut the stream's
connection after that many events). Multipart requests are recorded
as `form` (the text fields, a repeated one as a list) and `files` (field,
filename, content type, size, sha256 and the bytes in base64, in order)."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import time

import gevent
import orjson
from werkzeug.formparser import parse_form_data

from . import openai_wire
from .behaviour import rand_id

# A 1x1 transparent PNG: what every image holds.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
PNG_B64 = base64.b64encode(PNG).decode()
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
_DECODER = json.JSONDecoder()


def directive(prompt: str) -> dict:
    """The last `[[fake {...}]]` of the prompt, merged over earlier ones."""
    out, at = {}, 0
    while isinstance(prompt, str):
        at = prompt.find("[[fake", at)
        if at < 0:
            break
        try:
            value, _end = _DECODER.raw_decode(prompt[at + 6:].lstrip())
        except ValueError:
            break
        if isinstance(value, dict):
            out.update(value)
        at += 6
    return out


def parse_multipart(environ, raw: bytes):
    """(fields, files) of a multipart body, as OpenAI reads it."""
    env = {"wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw)), "REQUEST_METHOD": "POST",
           "CONTENT_TYPE": environ.get("CONTENT_TYPE", "")}
    _stream, form, files = parse_form_data(env, max_form_memory_size=None, max_content_length=None)
    fields = {}
    for name in form:
        values = form.getlist(name)
        fields[name] = values if len(values) > 1 else values[0]
    uploads = []
    for name, storage in files.items(multi=True):
        data = storage.read()
        uploads.append({"field": name, "filename": storage.filename, "content_type": storage.mimetype,
                        "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                        "b64": base64.b64encode(data).decode()})
    return fields, uploads


def _count(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def default_usage(prompt: str, n: int, input_images: int) -> dict:
    text = max(len(prompt.split()), 1)
    image = 323 * input_images
    output = 1056 * n
    return {"input_tokens": text + image, "input_tokens_details": {"text_tokens": text, "image_tokens": image},
            "output_tokens": output, "total_tokens": text + image + output,
            "output_tokens_details": {"image_tokens": output, "text_tokens": 0}}


def _problem(body: dict, edit: bool, files: list | None) -> str | None:
    if not isinstance(body.get("prompt"), str) or not body["prompt"]:
        return "Missing required parameter: 'prompt'."
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "Missing required parameter: 'model'."
    if files is not None:
        if not any(f["field"] in ("image", "image[]") for f in files):
            return "Missing required parameter: 'image'."
        for f in files:
            if f["content_type"] not in IMAGE_TYPES:
                return (f"Invalid file '{f['field']}': unsupported mimetype ('{f['content_type']}'). Supported file "
                        "formats are 'image/jpeg', 'image/png', and 'image/webp'.")
    elif edit and not (isinstance(body.get("images"), list) and body["images"]):
        return "Missing required parameter: 'images'."
    return None


def handle(app, environ, start_response, method, path, body, raw, rec, ctx):
    """One images request: the answer, its stream, or OpenAI's error."""
    from .app import _SSE_HEADERS, StreamBody  # the app imports this module

    edit = path.endswith("/v1/images/edits")
    if method != "POST" or not (edit or path.endswith("/v1/images/generations")):
        return app._error(start_response, "openai", 404 if method == "POST" else 405, f"Unknown path {path}")
    denied = app._check_key(environ, start_response, "openai")
    if denied is not None:
        return denied
    files = None
    if (environ.get("CONTENT_TYPE") or "").startswith("multipart/form-data"):
        rec.pop("raw_body", None)
        body, files = parse_multipart(environ, raw)
        rec["form"], rec["files"] = body, files
        model = body.get("model")
        if isinstance(model, str):
            app.stats["by_model"][model] = app.stats["by_model"].get(model, 0) + 1
    if not isinstance(body, dict):
        return app._error(start_response, "openai", 400, "We could not parse the JSON body of your request.")
    problem = _problem(body, edit, files)
    if problem:
        return app._error(start_response, "openai", 400, problem)
    behaviour = directive(body["prompt"])
    rec["directive"] = behaviour
    status = behaviour.get("status")
    if status and status != 200:
        return app._json(start_response, status, openai_wire.error_body(status, behaviour.get("error_message")))
    model = body["model"]
    dalle = "dall-e" in model
    n = _count(behaviour.get("images"), _count(body.get("n"), 1))
    inputs = len(files) if files is not None else len(body.get("images") or ())
    usage = behaviour.get("usage")
    if usage is None or usage is True:
        usage = default_usage(body["prompt"], n, inputs)
    size = body.get("size") if body.get("size") not in (None, "auto") else "1024x1024"
    quality = body.get("quality") if body.get("quality") not in (None, "auto") else "high"
    stream = body.get("stream") in (True, "true")
    if stream and dalle:
        return app._error(start_response, "openai", 400, "Streaming is only supported for GPT image models.")
    if stream:
        events = _events("image_edit" if edit else "image_generation", n, _count(body.get("partial_images"), 0),
                         size, quality, usage, float(behaviour.get("delay") or 0))
        if behaviour.get("break_after") is not None:
            events = _broken(events, int(behaviour["break_after"]), ctx)
        start_response("200 OK", _SSE_HEADERS + [("x-request-id", "req_" + rand_id())])
        return StreamBody(events, ctx)
    created = int(time.time())
    if dalle:
        if body.get("response_format") == "b64_json":
            data = [{"b64_json": PNG_B64, "revised_prompt": body["prompt"]} for _ in range(n)]
        else:
            data = [{"url": f"https://images.fake.example/{rand_id()}.png", "revised_prompt": body["prompt"]}
                    for _ in range(n)]
        answer = {"created": created, "data": data}
    else:
        answer = {"created": created, "background": "opaque", "data": [{"b64_json": PNG_B64} for _ in range(n)],
                  "output_format": "png", "quality": quality, "size": size}
        if usage:
            answer["usage"] = usage
    return app._json(start_response, 200, orjson.dumps(answer))


def _events(prefix: str, n: int, partial: int, size: str, quality: str, usage, delay: float):
    common = {"background": "opaque", "output_format": "png", "quality": quality, "size": size}
    for _image in range(n):
        for index in range(partial):
            yield _sse(f"{prefix}.partial_image", {"type": f"{prefix}.partial_image", "b64_json": PNG_B64,
                                                   "created_at": int(time.time()), "partial_image_index": index,
                                                   **common})
            if delay:
                gevent.sleep(delay)
        done = {"type": f"{prefix}.completed", "b64_json": PNG_B64, "created_at": int(time.time()), **common}
        if usage:
            done["usage"] = usage
        yield _sse(f"{prefix}.completed", done)
        if delay:
            gevent.sleep(delay)


def _broken(events, after: int, ctx):
    """The first `after` events, then the connection cut."""
    for sent, event in enumerate(events):
        if sent >= after:
            ctx.die()
            return
        yield event


def _sse(name: str, data: dict) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"
