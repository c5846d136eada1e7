"""The playground and the signed-in top-up in headless Chromium (Debian's,
driven by Playwright) against Tollgate under gunicorn, a fake upstream and
the development payment: a customer registers, creates a key, opens the
playground from the dashboard's navigation, picks the key and a model,
chats, watches the answer stream in with its tokens and credits, finds the
exact charge in the usage log and the balance, then tops up the account
(no key pasted) and sees the package's credits land once. Screenshots land
in test-artifacts/browser/."""
from __future__ import annotations

import re

import pytest

from tests.blueprints.api_v1.conftest import seed
from tests.blueprints.conftest import SHOTS, need_chromium
from tests.blueprints.dashboard.conftest import GENEROUS, PASSWORD, DashStack, new_email
from tests.fakes.upstream_client import directive

pytestmark = pytest.mark.browser

TRIAL = 50_000_000
TOPUP_40 = 2_000_000_000  # topup_40: 2B credits, no bonus


@pytest.fixture(scope="module")
def site(sqlite_databases, fake_upstream):
    need_chromium()
    stack = DashStack(sqlite_databases.new(), env={"TRIAL_CREDITS": str(TRIAL), "PAYMENT_PROVIDER": "dev", **GENEROUS},
                      name="browser-playground")
    seed(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"playground-{name}.png"), full_page=True)


def digits(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def register(browser, site, viewport, locale="en-US"):
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    email = new_email("pg")
    page.goto(site.url + "/register")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard/")
    return context, page, email


def pick_key(page, name: str) -> None:
    value = page.eval_on_selector_all(
        "#pg-key option", "(options, name) => options.find(o => o.textContent.startsWith(name)).value", name)
    page.select_option("#pg-key", value)


def create_key(page, name: str) -> None:
    page.click("nav.dash-nav a[href='/dashboard/keys']")
    page.fill("input[name=name]", name)
    page.click("main form button[type=submit]")
    assert page.inner_text("#api-key").startswith("sk-")


def test_a_customer_chats_in_the_playground_and_tops_up_the_account(site, browser, upstream):
    context, page, email = register(browser, site, {"width": 1280, "height": 900})
    account = site.account_of(email)
    create_key(page, "first key")
    create_key(page, "chat <key>")

    page.click("nav.dash-nav >> text=Playground")
    page.wait_for_url("**/dashboard/playground")
    assert page.get_attribute("nav.dash-nav a[aria-current=page]", "href") == "/dashboard/playground"
    pick_key(page, "chat <key>")
    models = page.eval_on_selector_all("#pg-model option", "options => options.map(o => o.value)")
    assert models == ["client-name", "fake-model", "flat-model"]
    page.select_option("#pg-model", "fake-model")
    shot(page, "1-empty")

    # The fake upstream streams the reply in small pieces, slowly enough to be seen arriving.
    reply = "Streaming, one small piece after another, into the playground."
    page.fill("#pg-input", "Say something " + directive(reply=reply, delay=0.15,
                                                           usage={"prompt_tokens": 21, "completion_tokens": 13}))
    page.click("#pg-send")
    page.wait_for_function("(() => { const t = document.querySelector('.pg-msg.assistant .pg-text');"
                           " return t && t.textContent.length > 0 && t.textContent.length < %d; })()" % len(reply))
    shot(page, "2-streaming")  # part of the answer is on the page before the rest has arrived
    page.wait_for_selector(".pg-msg.assistant.done .pg-usage")
    shot(page, "3-answered")
    assert page.inner_text(".pg-msg.assistant .pg-text") == reply
    assert page.inner_text(".pg-msg.user .pg-text").startswith("Say something")
    usage = page.locator(".pg-msg.assistant .pg-usage")
    credits = int(usage.get_attribute("data-credits"))
    assert usage.get_attribute("data-prompt") == "21" and usage.get_attribute("data-completion") == "13"
    assert "21 prompt tokens · 13 completion tokens" in usage.inner_text()
    assert f"{credits:,} credits" in usage.inner_text()

    # The charge is exact: in the request log, on the key and in the balance.
    [row] = site.logs(account)
    assert (row.model, row.stream, row.status, row.prompt_tokens, row.completion_tokens) == ("fake-model", True, 200, 21, 13)
    assert row.credits == credits > 0
    assert site.balance(account) == TRIAL - credits
    page.click("nav.dash-nav >> text=Usage")
    log = page.inner_text("table.log")
    assert "fake-model" in log and "chat <key>" in log and f"{credits:,}" in log
    page.click("nav.dash-nav >> text=Overview")
    assert digits(page.inner_text("#balance")) == TRIAL - credits

    # A second turn carries the conversation.
    page.goto(site.url + "/dashboard/playground")
    pick_key(page, "chat <key>")
    page.fill("#pg-input", "first")
    page.click("#pg-send")
    page.wait_for_selector(".pg-msg.assistant.done")
    page.fill("#pg-input", "second")
    page.click("#pg-send")
    page.wait_for_selector(".pg-msg.assistant.done >> nth=1")
    sent = upstream.last_request()["body"]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"] and sent[-1]["content"] == "second"
    spent = sum(r.credits for r in site.logs(account))
    assert site.balance(account) == TRIAL - spent

    # Top up the account itself: no key to paste.
    before = site.balance(account)
    page.goto(site.url + "/topup")
    assert email in page.inner_text("#account-topup")
    page.check("#account-topup input[name=package][value=topup_40]")
    shot(page, "4-topup")
    page.click("#account-topup-pay")
    page.wait_for_selector("#dev-pay")
    order_no = page.inner_text("h1 code")
    page.click("#dev-pay")
    page.wait_for_selector("#account-credited")
    shot(page, "5-credited")
    assert site.balance(account) == before + TOPUP_40
    # Reporting the payment again changes nothing.
    token = page.get_attribute("meta[name=csrf-token]", "content")
    again = page.request.post(site.url + f"/pay/dev/{order_no}",
                              form={"csrf_token": token, "contactEmail": email})
    assert again.ok
    assert site.balance(account) == before + TOPUP_40
    assert sorted(e.amount for e in site.entries(account) if e.ref == order_no) == [TOPUP_40]
    page.click("text=Open the dashboard")
    assert digits(page.inner_text("#balance")) == before + TOPUP_40
    page.click("nav.dash-nav >> text=Orders")
    assert order_no in page.inner_text("main")
    context.close()
    assert site.verify() == []


def test_the_playground_shows_a_refusal_in_chinese(site, browser, upstream):
    context, page, email = register(browser, site, {"width": 390, "height": 844}, locale="zh-CN")
    account = site.account_of(email)
    create_key(page, "k")
    with site.app.app_context():  # spend every credit
        from services.billing import ledger

        ledger.post(account, -ledger.balance_of(account), "adjust", f"drain:{account}", note="test")
    page.goto(site.url + "/dashboard/playground?lang=zh")
    assert "在线体验" in page.inner_text("main") and "Playground" not in page.inner_text("body")
    page.fill("#pg-input", "你好")
    page.click("#pg-send")
    page.wait_for_selector(".pg-failed")
    assert page.inner_text(".pg-failed").startswith("积分不足")
    assert page.is_visible("#pg-error")
    shot(page, "6-refused-zh")
    assert [(r.status, r.error_code) for r in site.logs(account)] == [(402, "insufficient_credits")]
    assert upstream.stats()["calls"] == 0
    context.close()
