"""A visitor in headless Chromium (Debian's, driven by Playwright) opens the
pricing page, buys a plan in development payment mode and copies the key
from the page. Screenshots land in test-artifacts/browser/."""
from __future__ import annotations

import pytest
import requests

from tests.blueprints.conftest import SHOTS, need_chromium
from tests.blueprints.storefront.conftest import StoreStack

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def dev_store(sqlite_databases):
    need_chromium()
    stack = StoreStack(sqlite_databases.new(), None, workers=1, name="store-dev")
    stack.set_model("demo-model", display_name="Demo", input_price=1_000_000, output_price=2_000_000)
    yield stack
    stack.stop()


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}], ids=["phone"])
def test_visitor_buys_a_plan_and_copies_the_key(dev_store, browser, viewport):
    context = browser.new_context(viewport=viewport, locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=dev_store.url)
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(dev_store.url + "/pricing")
    assert "Development payment mode" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "1-pricing.png"), full_page=True)
    page.click("a[data-plan=plan_20]")
    page.fill("input[name=email]", "visitor@example.com")
    page.screenshot(path=str(SHOTS / "2-buy.png"), full_page=True)
    page.click("button[type=submit]")

    page.wait_for_selector("img.qr")
    assert page.eval_on_selector("img.qr", "img => img.complete && img.naturalWidth > 0")
    page.screenshot(path=str(SHOTS / "3-pay.png"), full_page=True)
    page.click("#dev-pay")
    page.click("#reveal-key")
    key = page.inner_text("#api-key")
    assert key.startswith("sk-")
    page.click(".key button.copy")
    page.wait_for_function("document.querySelector('.key button.copy').textContent === '✓'")
    copied = page.evaluate("navigator.clipboard.readText()")
    page.screenshot(path=str(SHOTS / "4-key.png"), full_page=True)
    assert copied == key

    balance = requests.get(dev_store.base_url + "/balance", headers={"Authorization": f"Bearer {copied}"}, timeout=10)
    assert balance.status_code == 200 and balance.json()["balance"] == 1_000_000_000
    page.reload()  # shown once: gone after a reload
    assert key not in page.content()

    # The buyer turns the guest purchase into an account from the order page.
    page.click("#claim-hint a")
    assert page.input_value("input[name=email]") == "visitor@example.com"
    assert page.input_value("input[name=order_no]").startswith("BUY")
    page.fill("input[name=password]", "a long passphrase 1")
    page.fill("input[name=confirm]", "a long passphrase 1")
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard/")
    page.goto(dev_store.url + "/dashboard/keys")
    assert f"sk-****{key[-4:]}" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "4b-claimed.png"), full_page=True)
    context.close()


def test_pages_switch_to_chinese(dev_store, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(dev_store.url + "/?lang=zh")
    assert "价格" in page.inner_text("nav")
    page.goto(dev_store.url + "/docs")  # the choice sticks (cookie)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.screenshot(path=str(SHOTS / "5-docs-zh.png"), full_page=True)
    # Readable on a phone: nothing wider than the screen but code blocks, which scroll.
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390
    context.close()
