"""The whole customer and operator story in headless Chromium (Debian's,
driven by Playwright) against Tollgate under gunicorn and a fake upstream:

an operator made by `flask admin create` signs in, adds a channel and a
model price in the admin; a customer registers, creates a key, copies it,
calls the model with the official openai SDK, and finds the request in the
dashboard's usage log. Screenshots land in test-artifacts/browser/."""
from __future__ import annotations

import pytest
from openai import OpenAI

from tests.blueprints.conftest import SHOTS, need_chromium
from tests.blueprints.dashboard.conftest import GENEROUS, PASSWORD, DashStack, new_email

pytestmark = pytest.mark.browser

TRIAL = 50_000_000
MODEL = "browser-model"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site(sqlite_databases):
    need_chromium()
    stack = DashStack(sqlite_databases.new(), env={"TRIAL_CREDITS": str(TRIAL), **GENEROUS}, name="browser-dash")
    yield stack
    stack.stop()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"dashboard-{name}.png"), full_page=True)


def test_operator_adds_a_model_and_a_customer_uses_it(site, browser, fake_upstream):
    # The first operator exists only through the command line.
    runner = site.app.test_cli_runner()
    made = runner.invoke(args=["admin", "create", "ops@example.com", "--password", PASSWORD])
    assert made.exit_code == 0, made.output

    ops = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
    ops.set_default_timeout(15_000)
    ops.goto(site.url + "/admin/")
    assert "/signin" in ops.url  # not signed in yet
    ops.fill("input[name=email]", "ops@example.com")
    ops.fill("input[name=password]", PASSWORD)
    ops.click("main button[type=submit]")
    ops.wait_for_url("**/admin/")
    shot(ops, "1-admin")

    ops.goto(site.url + "/admin/channels/new")
    ops.fill("input[name=name]", "fake upstream")
    ops.fill("input[name=base_url]", fake_upstream.base_url_v1)
    ops.fill("input[name=api_key]", "sk-upstream-browser-secret")
    ops.fill("textarea[name=models]", MODEL)
    shot(ops, "2a-channel-form")
    ops.click("main button[type=submit]")
    ops.wait_for_url("**/admin/channels")
    assert "fake upstream" in ops.inner_text("main")
    assert "sk-upstream-browser-secret" not in ops.content()
    shot(ops, "2b-channels")

    ops.goto(site.url + "/admin/models/edit")
    ops.fill("input[name=id]", MODEL)
    ops.fill("input[name=display_name]", "Browser Model")
    ops.fill("input[name=input_price]", "1000000")
    ops.fill("input[name=output_price]", "2000000")
    ops.click("main button[type=submit]")
    ops.wait_for_url("**/admin/models")
    assert MODEL in ops.inner_text("main")
    shot(ops, "3-models")

    # A customer registers on a phone, creates a key and copies it.
    context = browser.new_context(viewport=PHONE, locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(site.url + "/")
    page.click("text=Register")
    email = new_email("browser")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard/")
    shot(page, "4-overview")

    page.click("nav.dash-nav >> text=Keys")
    page.fill("input[name=name]", "my <laptop>")
    page.click("main form button[type=submit]")
    key = page.inner_text("#api-key")
    assert key.startswith("sk-")
    page.click(".key button.copy")
    page.wait_for_function("document.querySelector('.key button.copy').textContent === '✓'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == key
    shot(page, "5-key-created")
    page.goto(site.url + "/dashboard/keys")  # shown once: the list has only the masked form
    assert key not in page.content() and f"sk-****{key[-4:]}" in page.inner_text("main")
    assert "my <laptop>" in page.inner_text("main")  # escaped, so shown as text

    # The copied key works with the official SDK, and sees the new model.
    client = OpenAI(base_url=site.base_url, api_key=copied, max_retries=0)
    assert MODEL in {m.id for m in client.models.list().data}
    answer = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hello"}],
                                            max_tokens=50)
    assert answer.choices[0].message.content
    account = site.account_of(email)
    charged = sum(row.credits for row in site.logs(account))
    assert charged > 0 and site.balance(account) == TRIAL - charged

    page.goto(site.url + "/dashboard/usage")
    log = page.inner_text("table.log")
    assert MODEL in log and "my <laptop>" in log
    shot(page, "6-usage")
    context.close()
    assert site.verify() == []
