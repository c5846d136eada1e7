"""schemathesis against a live server: for every documented operation, a
bounded number of generated requests (deterministic, so a failure comes
back on the next run) with a valid key, session cookie and CSRF token;
none may answer 5xx, and every answer must have a documented status and
the documented shape.

Two passes per operation: positive (requests the description allows; half
of those that name a model name one the fake upstream serves, so they reach
the relay rather than stopping at 404) and negative (requests it does not
allow: they must be refused in the documented error shape, never 5xx)."""
from __future__ import annotations

import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.blueprints.apidocs.conftest import MODEL, UNITS_MODEL

# Per operation and mode; SCHEMATHESIS_MAX_EXAMPLES=500 for a deeper run by hand.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


RELAYING = ("/completions", "/messages", "/responses")  # "/completions": chat's and the legacy one
# The families a chat channel does not serve: their model is on the units channel.
UNIT_BILLED = ("/embeddings", "/moderations", "/rerank", ":embedContent", ":batchEmbedContents")


# The audio routes' models (tests.blueprints.api_v1.audio_stack): a chat model has no channel speaking audio.
AUDIO_MODELS = {"/audio/speech": "tts-1", "/audio/transcriptions": "whisper-1", "/audio/translations": "whisper-1"}


def with_real_model(case, stream: bool):
    real = UNITS_MODEL if case.path.endswith(UNIT_BILLED) else next(
        (m for suffix, m in AUDIO_MODELS.items() if case.path.endswith(suffix)), MODEL)
    if isinstance(case.body, dict) and "model" in case.body:
        case.body = {**case.body, "model": real}
        if case.path.endswith(RELAYING):
            case.body["stream"] = stream  # both halves of each door, at any example count
    for name in ("model_id", "model"):  # model: the Gemini routes', whose body names none
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters = {**case.path_parameters, name: real}
    return case


def strategy(operation, mode: GenerationMode):
    generated = operation.as_strategy(generation_mode=mode)
    if mode is GenerationMode.NEGATIVE:
        return generated
    return st.one_of(generated, st.tuples(generated, st.booleans()).map(lambda pair: with_real_model(*pair)))


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(live, api_key, document, upstream):
    schema = schemathesis.openapi.from_dict(document)
    web = live.signed_in()
    session = web.http  # the session cookie; the fuzzer's requests carry it everywhere (harmless off /api/tokens)
    headers = {"Authorization": f"Bearer {api_key}", "X-CSRFToken": web.token}
    failures, calls, started = [], {}, time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=strategy(operation, mode))
            def run(case):
                calls[operation.label, mode] = calls.get((operation.label, mode), 0) + 1
                case.call_and_validate(base_url=live.url, session=session, headers=headers, checks=CHECKS,
                                       timeout=30)

            try:
                run()
            except Unsatisfiable:
                # Nothing to get wrong (no parameters, no body): no negative case exists.
                assert mode is GenerationMode.NEGATIVE and not operation.body and not operation.query, operation.label
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, reported together below
                # schemathesis raises a FailureGroup (a BaseExceptionGroup) when a case fails its checks.
                failures.append(f"{operation.label} ({mode}): {exc}")
    elapsed = time.monotonic() - started
    assert not failures, "\n\n".join(failures)
    assert len({label for label, _mode in calls}) == len(operations), calls  # every operation was fuzzed
    by_path = upstream.stats()["by_path"]
    print(f"schemathesis: {sum(calls.values())} requests in {elapsed:.0f}s; upstream calls by path: {by_path}")
    assert by_path, "no generated request reached the fake upstream"  # the relay itself was fuzzed
    # Its run time is printed, not asserted: speed is the benchmark's to measure.
