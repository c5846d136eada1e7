"""Sign-in and registration throttles on a server of their own with low
limits: per submitted email, per IP, and registration per IP; a throttled
attempt gets the form back with a message and status 429."""
from __future__ import annotations

import pytest

from tests.blueprints.dashboard.conftest import PASSWORD, new_email, start


@pytest.fixture(scope="module")
def tight(tmp_path_factory, fake_upstream):
    # Day windows: the limiter's sliding window would forgive part of the
    # count if the test crossed a minute boundary, and the test would flake.
    stack = start("sqlite:///" + str(tmp_path_factory.mktemp("tight") / "tollgate.db"), fake_upstream.base_url_v1,
                  SIGNIN_LIMIT_PER_EMAIL="3 per day", SIGNIN_LIMIT_PER_IP="8 per day",
                  REGISTER_LIMIT_PER_IP="2 per day")
    yield stack
    stack.stop()


def test_throttles_per_email_per_ip_and_registration(tight):
    owner = tight.user()                     # registration 1 of 2
    web = tight.visitor()
    for _ in range(3):
        assert web.sign_in(owner.email, "wrong password").status_code == 401
    blocked = web.sign_in(owner.email, PASSWORD)  # even the right password waits now
    assert blocked.status_code == 429 and "Too many attempts" in blocked.text and "<form" in blocked.text
    # The same limit holds for an address nobody registered: it tells nothing.
    ghost = new_email("ghost")
    assert [web.sign_in(ghost, "x" * 9).status_code for _ in range(4)] == [401, 401, 401, 429]
    # Other emails still get through until the per-IP limit (8) is spent.
    codes = [tight.visitor().sign_in(new_email("other"), "x" * 9).status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    assert tight.visitor().sign_in(new_email("more"), "x" * 9).status_code == 429
    # GET of the form is never throttled.
    assert tight.visitor().get("/signin").status_code == 200

    assert tight.visitor().register(new_email(), PASSWORD).status_code == 200  # registration 2 of 2
    third = tight.visitor().register(new_email(), PASSWORD)
    assert third.status_code == 429 and "Too many attempts" in third.text
