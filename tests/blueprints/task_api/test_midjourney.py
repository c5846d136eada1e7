"""Midjourney through Tollgate as midjourney-proxy's clients call it (plain
`requests`), on SQLite and PostgreSQL: a submit is a task held at its
action's price (mj_imagine, mj_upscale, ...) until the poller sees the
provider finish it; charged then, released when it fails or never
finishes, and never charged when the provider answers a code other than
1 or 22. The client sees only our ids and Tollgate's image URLs."""
from __future__ import annotations

import time

import pytest
import requests

from tests.blueprints.api_v1.task_stack import assert_books, kinds, task, task_stack, tasks_of, wait_finished
from tests.fakes.upstream.images_wire import PNG
from tests.fakes.upstream_client import directive

CREDITS = 1_000_000
PRICES = {"mj_imagine": 300, "mj_upscale": 100, "mj_variation": 200, "mj_blend": 250, "mj_describe": 50,
          "mj_modal": 120, "mj_reroll": 220}
UPSTREAM_KEY = "mj-upstream-secret-0123456789"


@pytest.fixture(scope="module")
def mj(databases, fake_upstream):
    stack = task_stack(databases.new(), f"mj-{databases.kind}")
    for model, price in PRICES.items():
        stack.set_model(model, request_price=price)
    stack.add_channel("mj", fake_upstream.url, list(PRICES), provider="midjourney", api_key=UPSTREAM_KEY)
    yield stack
    stack.stop()


class Client:
    """A midjourney-proxy client: the key in `mj-api-secret` or as a Bearer token."""

    def __init__(self, stack, raw: str, header: str = "mj-api-secret"):
        self.root = stack.url
        self.headers = {"mj-api-secret": raw} if header == "mj-api-secret" else {"Authorization": f"Bearer {raw}"}

    def submit(self, kind: str, body: dict) -> requests.Response:
        return requests.post(f"{self.root}/mj/submit/{kind}", json=body, headers=self.headers, timeout=30)

    def fetch(self, task_id: str) -> requests.Response:
        return requests.get(f"{self.root}/mj/task/{task_id}/fetch", headers=self.headers, timeout=30)

    def image(self, task_id: str) -> requests.Response:
        return requests.get(f"{self.root}/mj/image/{task_id}", headers=self.headers, timeout=30)

    def list(self, ids: list) -> requests.Response:
        return requests.post(f"{self.root}/mj/task/list-by-condition", json={"ids": ids}, headers=self.headers,
                             timeout=30)

    def until_done(self, task_id: str, timeout: float = 20.0) -> tuple[dict, set]:
        seen = set()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.fetch(task_id).json()
            seen.add(shown["status"])
            if shown["status"] in ("SUCCESS", "FAILURE"):
                return shown, seen
            time.sleep(0.15)
        raise AssertionError(f"task {task_id} did not finish")


def test_imagine_is_a_task_charged_its_price_when_done_and_its_image_is_relayed(mj, fake_upstream):
    raw, _, account = mj.new_key(CREDITS)
    client = Client(mj, raw)
    reply = client.submit("imagine", {"prompt": "a cat " + directive(after=1.0), "notifyHook": "http://x.test/h"})
    answer = reply.json()
    assert reply.status_code == 200 and answer["code"] == 1 and answer["description"] == "Submit success"
    task_id = answer["result"]
    assert task_id.startswith("mj_") and not any(k.startswith("discord") for k in answer["properties"])
    assert mj.balance(account) == CREDITS - PRICES["mj_imagine"]  # held while it runs
    row = task(mj, task_id)
    assert row.provider_task_id.isdigit() and row.provider_task_id not in reply.text
    sent = [r for r in fake_upstream.requests() if r["path"] == "/mj/submit/imagine"][-1]
    assert sent["headers"]["mj-api-secret"] == UPSTREAM_KEY and "notifyHook" not in sent["body"]
    shown, seen = client.until_done(task_id)
    assert seen & {"SUBMITTED", "IN_PROGRESS", "NOT_START"}
    assert shown["id"] == task_id and shown["action"] == "IMAGINE" and shown["progress"] == "100%"
    assert shown["imageUrl"] == f"{mj.url}/mj/image/{task_id}" and shown["failReason"] is None
    assert shown["prompt"].startswith("a cat") and shown["submitTime"] and shown["finishTime"]
    assert [b["label"] for b in shown["buttons"]][:4] == ["U1", "U2", "U3", "U4"]
    assert row.provider_task_id not in str(shown) and fake_upstream.url not in str(shown)
    image = client.image(task_id)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(PNG)
    assert_books(mj, account, CREDITS, PRICES["mj_imagine"])
    (log,) = mj.logs(account)
    assert (log.door, log.status, log.credits, log.model) == ("midjourney", 200, PRICES["mj_imagine"], "mj_imagine")


def test_an_upscale_of_the_result_goes_to_its_channel_under_the_providers_id(mj, fake_upstream):
    raw, _, account = mj.new_key(CREDITS)
    client = Client(mj, raw, header="authorization")
    first = client.submit("imagine", {"prompt": "a dog " + directive(after=0.3)}).json()["result"]
    shown, _ = client.until_done(first)
    upscale = shown["buttons"][1]["customId"]  # U2
    reply = client.submit("action", {"taskId": first, "customId": upscale})
    answer = reply.json()
    assert answer["code"] == 1 and answer["result"] != first and answer["result"].startswith("mj_")
    sent = [r for r in fake_upstream.requests() if r["path"] == "/mj/submit/action"][-1]
    assert sent["body"]["taskId"] == task(mj, first).provider_task_id and sent["body"]["customId"] == upscale
    done, _ = client.until_done(answer["result"])
    assert done["status"] == "SUCCESS" and done["action"] == "UPSCALE"
    assert client.image(answer["result"]).content.startswith(PNG)
    row = task(mj, answer["result"])
    assert (row.model, row.action, row.params["parent"]) == ("mj_upscale", "UPSCALE", first)
    spent = [-a for k, a in kinds(mj, account) if k == "charge"]
    assert spent == [PRICES["mj_imagine"], PRICES["mj_upscale"]]
    assert mj.balance(account) == CREDITS - PRICES["mj_imagine"] - PRICES["mj_upscale"]
    assert mj.verify() == []


def test_change_and_blend_and_describe_are_priced_by_action(mj):
    raw, _, account = mj.new_key(CREDITS)
    client = Client(mj, raw)
    first = client.submit("imagine", {"prompt": "a fox " + directive(after=0.2)}).json()["result"]
    client.until_done(first)
    variation = client.submit("change", {"taskId": first, "action": "VARIATION", "index": 3}).json()["result"]
    blend = client.submit("blend", {"base64Array": ["data:image/png;base64,AAAA"] * 2,
                                    "state": directive(after=0.2)}).json()["result"]
    describe = client.submit("describe", {"base64": "data:image/png;base64,AAAA",
                                          "state": directive(after=0.2)}).json()["result"]
    modal = client.submit("modal", {"taskId": first, "prompt": "a red fox", "state": directive(after=0.2)}).json()
    assert modal["code"] == 1
    for task_id in (variation, blend, describe, modal["result"]):
        assert client.until_done(task_id)[0]["status"] == "SUCCESS"
    models = [row.model for row in tasks_of(mj, account)]
    assert models == ["mj_imagine", "mj_variation", "mj_blend", "mj_describe", "mj_modal"]
    spent = sorted(-a for k, a in kinds(mj, account) if k == "charge")
    assert spent == sorted(PRICES[m] for m in models)
    assert mj.verify() == []


@pytest.mark.parametrize("code", [24, 23, 21])
def test_a_refused_submit_is_passed_through_and_not_charged(mj, code):
    raw, _, account = mj.new_key(CREDITS)
    reply = Client(mj, raw).submit("imagine", {"prompt": "forbidden " + directive(code=code)})
    answer = reply.json()
    assert reply.status_code == 200 and answer["code"] == code and answer["description"]
    assert answer["result"] is None  # the provider's id is never shown (none of this account's tasks)
    if code == 24:
        assert answer["properties"]["bannedWord"] == "forbidden"
    assert tasks_of(mj, account) == []
    assert mj.balance(account) == CREDITS
    entries = [(k, a) for k, a in kinds(mj, account) if k != "adjust"]
    assert [k for k, _ in entries] == ["reserve", "release"] and mj.verify() == []
    (log,) = mj.logs(account)
    assert (log.error_code, log.credits) == ("task_refused", 0)


def test_code_21_names_our_task_when_it_is_this_accounts(mj):
    raw, _, account = mj.new_key(CREDITS)
    client = Client(mj, raw)
    words = f"the same words {account} {mj.db_url[:10]} "  # the fake's tasks outlive a module
    first = client.submit("imagine", {"prompt": words + directive(after=0.2)}).json()["result"]
    answer = client.submit("imagine", {"prompt": words + directive(code=21)}).json()
    assert answer["code"] == 21 and answer["result"] == first
    client.until_done(first)
    assert sorted(kinds(mj, account)) == sorted([("adjust", CREDITS), ("reserve", -300), ("reserve", -300),
                                                 ("release", 300), ("release", 300), ("charge", -300)])
    assert mj.balance(account) == CREDITS - PRICES["mj_imagine"] and mj.verify() == []
    assert len(tasks_of(mj, account)) == 1


def test_code_22_in_queue_is_accepted_and_charged(mj):
    raw, _, account = mj.new_key(CREDITS)
    client = Client(mj, raw)
    answer = client.submit("imagine", {"prompt": "queued " + directive(code=22, after=0.3)}).json()
    assert answer["code"] == 22 and answer["result"].startswith("mj_")
    assert client.until_done(answer["result"])[0]["status"] == "SUCCESS"
    assert_books(mj, account, CREDITS, PRICES["mj_imagine"])


def test_a_failed_task_releases_its_hold(mj):
    raw, _, account = mj.new_key(CREDITS)
    client = Client(mj, raw)
    task_id = client.submit("imagine", {"prompt": "x " + directive(after=0.3, fail=True,
                                                                   error_message="nope")}).json()["result"]
    shown, _ = client.until_done(task_id)
    assert shown["status"] == "FAILURE" and shown["failReason"] == "nope" and shown["imageUrl"] is None
    assert client.image(task_id).status_code == 404
    assert_books(mj, account, CREDITS, 0)
    (log,) = mj.logs(account)
    assert (log.status, log.error_code, log.credits) == (502, "task_failed", 0)


def test_a_task_that_never_finishes_is_released_once_at_its_timeout(mj):
    raw, _, account = mj.new_key(CREDITS)
    task_id = Client(mj, raw).submit("imagine", {"prompt": "forever " + directive(never=True)}).json()["result"]
    row = wait_finished(mj, task_id, timeout=30)
    assert row.status == "failed" and "timed out" in row.error
    assert Client(mj, raw).fetch(task_id).json()["status"] == "FAILURE"
    assert_books(mj, account, CREDITS, 0)
    (log,) = mj.logs(account)
    assert (log.status, log.error_code) == (504, "task_timeout")


def test_a_submit_the_provider_fails_releases_the_hold_at_once(mj):
    raw, _, account = mj.new_key(CREDITS)
    reply = Client(mj, raw).submit("imagine", {"prompt": "x " + directive(status=500)})
    assert reply.status_code == 502 and reply.json()["code"] == 9
    assert tasks_of(mj, account) == []
    assert_books(mj, account, CREDITS, 0)


def test_list_by_condition_shows_only_this_accounts_tasks(mj):
    raw, _, _ = mj.new_key(CREDITS)
    other, _, _ = mj.new_key(CREDITS)
    client = Client(mj, raw)
    mine = [client.submit("imagine", {"prompt": f"{i} " + directive(after=0.2)}).json()["result"] for i in range(2)]
    theirs = Client(mj, other).submit("imagine", {"prompt": "t " + directive(after=0.2)}).json()["result"]
    listed = client.list([mine[1], theirs, "mj_unknown", mine[0]]).json()
    assert [t["id"] for t in listed] == [mine[1], mine[0]]
    assert client.list("nope").status_code == 400


def test_another_accounts_key_gets_404(mj):
    raw, _, account = mj.new_key(CREDITS)
    other, _, thief_account = mj.new_key(CREDITS)
    client = Client(mj, raw)
    task_id = client.submit("imagine", {"prompt": "mine " + directive(after=0.2)}).json()["result"]
    shown, _ = client.until_done(task_id)
    thief = Client(mj, other)
    for reply in (thief.fetch(task_id), thief.image(task_id),
                  thief.submit("action", {"taskId": task_id, "customId": shown["buttons"][0]["customId"]}),
                  thief.submit("modal", {"taskId": task_id, "prompt": "stolen"})):
        assert reply.status_code == 404 and reply.json()["code"] == 3
    assert thief.fetch("mj_made_up").status_code == 404
    assert mj.balance(thief_account) == CREDITS and tasks_of(mj, thief_account) == []
    assert requests.get(f"{mj.url}/mj/image/{task_id}", timeout=10).status_code == 401
    assert_books(mj, account, CREDITS, PRICES["mj_imagine"])


def test_bad_submits_are_refused_before_the_upstream(mj):
    raw, _, account = mj.new_key(CREDITS)
    client = Client(mj, raw)
    for kind, body in (("imagine", {}), ("blend", {"base64Array": ["x"]}), ("describe", {}),
                       ("action", {"taskId": "mj_x"}), ("change", {"taskId": 5})):
        reply = client.submit(kind, body)
        assert reply.status_code in (400, 404) and reply.json()["code"] in (3, 4), (kind, reply.text)
    assert mj.balance(account) == CREDITS


def test_too_few_credits_is_402(mj):
    raw, _, account = mj.new_key(PRICES["mj_imagine"] - 1)
    reply = Client(mj, raw).submit("imagine", {"prompt": "x"})
    assert reply.status_code == 402 and reply.json()["code"] == 4
    assert mj.balance(account) == PRICES["mj_imagine"] - 1


def test_a_bad_key_is_401_in_midjourneys_shape(mj):
    reply = Client(mj, "sk-not-a-key").submit("imagine", {"prompt": "x"})
    assert reply.status_code == 401 and reply.json()["code"] == 4
    assert reply.json()["properties"] == {"error": "invalid_api_key"}


def test_an_action_no_model_is_priced_for_is_404_and_free(mj):
    raw, _, account = mj.new_key(CREDITS)
    client = Client(mj, raw)
    task_id = client.submit("imagine", {"prompt": "zoom me " + directive(after=0.2)}).json()["result"]
    client.until_done(task_id)
    reply = client.submit("action", {"taskId": task_id, "customId": "MJ::Outpaint::50::1::abc::SOLO"})
    assert reply.status_code == 404 and reply.json()["properties"]["error"] == "model_not_available"
    assert mj.balance(account) == CREDITS - PRICES["mj_imagine"]


def test_open_tasks_of_a_channel_are_polled_together(mj, fake_upstream):
    """The poller asks about a channel's open tasks in one list-by-condition
    call; each is still finished, and charged, once."""
    raw, _, account = mj.new_key(CREDITS)
    client = Client(mj, raw)
    ids = [client.submit("imagine", {"prompt": f"batch {i} " + directive(after=1.0)}).json()["result"]
           for i in range(4)]
    for task_id in ids:
        assert client.until_done(task_id)[0]["status"] == "SUCCESS"
    provider_ids = {task(mj, task_id).provider_task_id for task_id in ids}
    batches = [set(r["body"]["ids"]) & provider_ids for r in fake_upstream.requests()
               if r["path"] == "/mj/task/list-by-condition"]
    assert any(len(batch) >= 2 for batch in batches), batches
    assert sorted(-a for k, a in kinds(mj, account) if k == "charge") == [PRICES["mj_imagine"]] * 4
    assert mj.balance(account) == CREDITS - 4 * PRICES["mj_imagine"] and mj.verify() == []
