"""The description and the url_map agree both ways: every public route
(/v1, /api/v1, the helper /api, /api/tokens, /mj, /suno, /kling, /jimeng; /v1beta when it exists) is
documented, and every documented operation is a route. Also: the document
is a valid OpenAPI 3.1 (schemathesis parses it), /openapi.json serves it
with sane cache headers, and the reference page renders it in both
languages with every summary translated."""
from __future__ import annotations

import re

import pytest

from blueprints.apidocs.spec import GEMINI_ACTIONS, spec
from blueprints.gemini.views import ACTIONS
from tests.support.untranslated import chinese_for
from tests.blueprints.apidocs.conftest import operations
from tests.support.stack import make_app, migrate

PUBLIC = ("/v1/", "/v1beta/", "/api/", "/mj/", "/suno/", "/kling/", "/jimeng/")
HIDDEN = {"HEAD", "OPTIONS"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app("sqlite:///" + str(tmp_path_factory.mktemp("apidocs") / "t.db"), WTF_CSRF_ENABLED=False)
    migrate(app)
    return app


# Flask routes POST .../models/{model}:{action} as one `<path:target>` (the
# view splits it at the last colon); the description has one path per
# action. Exactly these rules are split, into exactly these paths.
ACTION_RULES = {("/v1beta/models/<path:target>", "gemini.models_action"),
                ("/v1/models/<path:target>", "gemini_v1.models_action_v1")}
# The one-model GET's variable is `{model}` in the description, as in the
# action paths.
RENAMED = {"/v1beta/models/<path:name>": "/v1beta/models/{model}"}


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def documented_paths(rule) -> list[str]:
    if (rule.rule, rule.endpoint) in ACTION_RULES:
        return [rule.rule.replace("<path:target>", "{model}:" + action) for action in ACTIONS]
    return [RENAMED.get(rule.rule, openapi_path(rule.rule))]


def test_the_split_and_renamed_rules_exist(app):
    rules = {(rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()}
    assert ACTION_RULES <= rules and set(RENAMED) <= {rule for rule, _endpoint in rules}
    assert tuple(ACTIONS) == GEMINI_ACTIONS  # the description's actions are the view's


def test_every_public_route_is_documented_and_every_documented_route_exists(app):
    routes = {(path, method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith(PUBLIC)
              for path in documented_paths(rule)
              for method in rule.methods - HIDDEN}
    documented = {(path, method) for path, method, _op in operations(spec())}
    assert routes, "no public routes found"
    assert sorted(routes - documented) == [], "routes missing from blueprints/apidocs/spec.py"
    assert sorted(documented - routes) == [], "documented operations that are not routes"


def test_operation_ids_are_unique_and_every_operation_answers_something():
    ids = [op["operationId"] for _path, _method, op in operations(spec())]
    assert len(ids) == len(set(ids))
    for path, method, op in operations(spec()):
        # 101: a WebSocket's upgrade (GET /v1/realtime) is its success.
        assert any(status.startswith("2") or status == "101" for status in op["responses"]), (path, method)
        assert op["summary"] and op["tags"], (path, method)


def test_the_document_is_valid_openapi_3_1():
    import schemathesis

    schema = schemathesis.openapi.from_dict(spec())
    assert len(list(schema.get_all_operations())) == sum(1 for _ in operations(spec()))
    from jsonschema import Draft202012Validator

    for name, component in spec()["components"]["schemas"].items():
        Draft202012Validator.check_schema(component)


def test_openapi_json_is_served_with_cache_headers(app):
    client = app.test_client()
    reply = client.get("/openapi.json")
    assert reply.status_code == 200 and reply.mimetype == "application/json"
    assert reply.get_json() == spec()
    assert reply.headers["Cache-Control"] == "public, max-age=300" and reply.headers["ETag"]
    again = client.get("/openapi.json", headers={"If-None-Match": reply.headers["ETag"]})
    assert again.status_code == 304


def test_the_reference_page_renders_every_operation_in_both_languages(app):
    client = app.test_client()
    english = client.get("/docs/api-reference?lang=en").get_data(as_text=True)
    chinese = client.get("/docs/api-reference?lang=zh").get_data(as_text=True)
    for path, method, op in operations(spec()):
        if not path.startswith("/api/v1/"):
            assert f'id="{op["operationId"]}"' in english and op["summary"] in english
            assert chinese_for(op["summary"]) in chinese, op["summary"]
    assert "<script>" not in english and "API 参考" in chinese and 'href="/openapi.json"' in chinese


def test_every_summary_and_tag_has_a_chinese_translation():
    texts = {op["summary"] for _p, _m, op in operations(spec())} | {tag["name"] for tag in spec()["tags"]}
    assert sorted(text for text in texts if not chinese_for(text)) == []


def test_docs_and_nav_link_the_reference(app):
    client = app.test_client()
    docs = client.get("/docs").get_data(as_text=True)
    assert 'href="/docs/api-reference"' in docs and 'href="/openapi.json"' in docs
    home = client.get("/").get_data(as_text=True)
    assert 'href="/docs/api-reference"' in home.split("<main")[0]
