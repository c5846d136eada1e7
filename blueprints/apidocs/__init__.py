"""The API description: GET /openapi.json (OpenAPI 3.1, built by spec.py)
and a page that renders it, /docs/api-reference, server-side (no script:
the CSP is script-src 'self' and the reference needs none)."""
from __future__ import annotations

import re

import orjson
from flask import Blueprint, Response, render_template, request
from markupsafe import Markup, escape

from blueprints.apidocs.spec import API_PREFIXES, spec
from i18n import N_

# The description's summaries and tag names, which the page shows translated:
# marked here for extraction, as the description itself is data.
SHOWN_TRANSLATED = (
    N_('Anthropic'),
    N_('Anthropic message'),
    N_('Billing subscription'),
    N_('Billing usage'),
    N_('Chat completion'),
    N_('Claim the purchased key (once)'),
    N_('Classify content'),
    N_('Count Gemini tokens'),
    N_('Count input tokens'),
    N_('Create a purchase order'),
    N_('Create a response'),
    N_('Create a top-up order'),
    N_('Create a video'),
    N_('Create an image'),
    N_('Download a video'),
    N_('Get a video'),
    N_('Remix a video'),
    N_('Create embeddings'),
    N_('Delete a key'),
    N_('Delete a stored response'),
    N_('Edit an image'),
    N_('Embed content'),
    N_('Embed contents in a batch'),
    N_('Gemini'),
    N_('Generate content'),
    N_('Get a Gemini model'),
    N_('Get a model'),
    N_('Get a stored response'),
    N_('Legacy completion'),
    N_('List Gemini models'),
    N_('List models'),
    N_('List your keys'),
    N_('OpenAI'),
    N_('Pay a purchase order'),
    N_('Pay a top-up order'),
    N_('Preview a key before topping it up'),
    N_('Purchase plans'),
    N_('Query a purchase order'),
    N_('Query a top-up order'),
    N_('Quota of a key'),
    N_('Realtime session (WebSocket)'),
    N_('Recent requests of a key'),
    N_('Rerank documents'),
    N_('Revoke a key'),
    N_('Store'),
    N_('Stream generated content'),
    N_('Text to speech'),
    N_('Tokens'),
    N_('Top-up packages'),
    N_('Transcribe audio'),
    N_('Translate audio'),
    N_('Midjourney'),
    N_("Fetch Suno tasks"),
    N_("Fetch a Suno task"),
    N_("Get a Suno clip's audio, image or video"),
    N_("Get an image of a task"),
    N_("Get an image task"),
    N_("Submit a Suno task"),
    N_("Suno"),
    N_('Midjourney imagine'),
    N_('Midjourney button action'),
    N_('Midjourney blend'),
    N_('Midjourney describe'),
    N_('Midjourney modal'),
    N_('Midjourney change'),
    N_('Get a Midjourney task'),
    N_('List Midjourney tasks'),
    N_('Get a Midjourney image'),
    N_('Kling'),
    N_('Jimeng'),
    N_('Kling text to video'),
    N_('Kling image to video'),
    N_('Get a Kling text-to-video task'),
    N_('Get a Kling image-to-video task'),
    N_('Download a Kling text-to-video video'),
    N_('Download a Kling image-to-video video'),
    N_('Jimeng video task'),
    N_('Download a Jimeng video'),
)


bp = Blueprint("apidocs", __name__)
METHODS = ("get", "post", "put", "patch", "delete")
# Changes with a deploy, not per request: caches may keep it a few minutes
# and revalidate with the ETag.
CACHE_CONTROL = "public, max-age=300"


@bp.get("/openapi.json")
def openapi_json():
    response = Response(orjson.dumps(spec(), option=orjson.OPT_INDENT_2), mimetype="application/json")
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Access-Control-Allow-Origin"] = "*"  # public, no credentials: tools may fetch it
    response.add_etag()
    return response.make_conditional(request)


_CODE = re.compile(r"`([^`]+)`")


def inline_code(text: str | None) -> Markup:
    """Escape, then `x` becomes <code>x</code> (the descriptions' only markup)."""
    return Markup(_CODE.sub(r"<code>\1</code>", str(escape(text or ""))))


def _resolve(schema: dict, components: dict) -> tuple[dict, str | None]:
    name = None
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = components[name]
    return schema, name


def _type_of(schema: dict, components: dict) -> str:
    schema, name = _resolve(schema, components)
    if "const" in schema:
        return orjson.dumps(schema["const"]).decode()
    if "enum" in schema:
        return " | ".join(orjson.dumps(v).decode() for v in schema["enum"])
    for either in ("oneOf", "anyOf"):
        if either in schema:
            return " | ".join(_type_of(s, components) for s in schema[either])
    kind = schema.get("type", "any")
    kinds = kind if isinstance(kind, list) else [kind]
    out = []
    for k in kinds:
        if k == "array":
            out.append(f"array of {_type_of(schema.get('items', {}), components)}")
        elif k == "object" and name:
            out.append(name)
        else:
            out.append(k)
    return " | ".join(out)


def fields(schema: dict, components: dict, prefix: str = "", depth: int = 0) -> list[dict]:
    """Rows for a schema's fields, nested objects as dotted names."""
    schema, _name = _resolve(schema, components)
    if schema.get("type") == "array":
        schema, _name = _resolve(schema.get("items", {}), components)
        prefix += "[]"
    rows = []
    required = set(schema.get("required", ()))
    for field, sub in schema.get("properties", {}).items():
        resolved, _ = _resolve(sub, components)
        name = f"{prefix}.{field}" if prefix else field
        rows.append({"name": name, "type": _type_of(sub, components), "required": field in required,
                     "description": resolved.get("description", "")})
        if depth < 3 and (resolved.get("properties") or (resolved.get("type") == "array" and
                                                         _resolve(resolved.get("items", {}), components)[0]
                                                         .get("properties"))):
            rows.extend(fields(sub, components, name, depth + 1))
    return rows


def reference() -> list[dict]:
    """The operations by tag, for the page; /api/v1 aliases are folded
    into their /v1 operation (the Gemini actions under /v1 have none)."""
    document = spec()
    components = document["components"]["schemas"]
    groups = {tag["name"]: {**tag, "operations": []} for tag in document["tags"]}
    for path, item in document["paths"].items():
        if path.startswith(API_PREFIXES[1:]):
            continue
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            responses = []
            for status, resp in sorted(op["responses"].items()):
                content = resp.get("content", {})
                json_part = content.get("application/json")
                responses.append({"status": status, "description": resp["description"],
                                  "media": list(content),
                                  "schema": _type_of(json_part["schema"], components) if json_part else "",
                                  "fields": fields(json_part["schema"], components)
                                  if json_part and status.startswith("2") else [],
                                  "example": orjson.dumps(json_part["example"], option=orjson.OPT_INDENT_2).decode()
                                  if json_part and "example" in json_part else None})
            groups[op["tags"][0]]["operations"].append({
                "id": op["operationId"], "method": method.upper(), "path": path,
                "alias": "/api" + path if "/api" + path in document["paths"] else None,
                "summary": op["summary"], "description": op.get("description", ""),
                "security": list(dict.fromkeys(name for req in op.get("security", []) for name in req)),
                "parameters": op.get("parameters", []),
                "body_fields": fields(body["schema"], components) if body else [],
                "body_example": orjson.dumps(body["example"], option=orjson.OPT_INDENT_2).decode()
                if body and "example" in body else None,
                "streams": any("text/event-stream" in r.get("content", {}) for r in op["responses"].values()),
                "responses": responses})
    return list(groups.values())


@bp.get("/docs/api-reference")
def api_reference():
    return render_template("store/api_reference.html", groups=reference(), inline_code=inline_code,
                           info=spec()["info"])
