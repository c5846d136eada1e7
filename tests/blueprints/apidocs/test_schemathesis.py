"""schemathesis against a live server: for every documented operation, a
bounded number of generated requests (deterministic, so a failure comes
back on the next run) with a valid key, session cookie and CSRF token;
none may answer 5xx, and every answer must have a documented status and
the documented shape."""
from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

MAX_EXAMPLES = 20
BUDGET_SECONDS = 180  # the whole run; it takes about a minute on the 2-core machine
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(live, api_key, document):
    schema = schemathesis.openapi.from_dict(document)
    web = live.signed_in()
    session = web.http  # the session cookie; the fuzzer's requests carry it everywhere (harmless off /api/tokens)
    headers = {"Authorization": f"Bearer {api_key}", "X-CSRFToken": web.token}
    failures, calls, started = [], {}, time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            calls[case.operation.label] = calls.get(case.operation.label, 0) + 1
            case.call_and_validate(base_url=live.url, session=session, headers=headers, checks=CHECKS,
                                   timeout=30)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collected, reported together below
            failures.append(f"{operation.label}: {exc}")
    elapsed = time.monotonic() - started
    assert not failures, "\n\n".join(failures)
    assert len(calls) == sum(1 for _ in schema.get_all_operations()), calls  # every operation was fuzzed
    assert elapsed < BUDGET_SECONDS, f"schemathesis took {elapsed:.0f}s"
