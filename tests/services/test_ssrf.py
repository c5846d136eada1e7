"""Upstream URLs that point inside (loopback, private, link-local, metadata)
are refused after resolution, whatever their spelling, unless allow-listed."""
import pytest

from services.ssrf import Policy, UpstreamBlocked, check_url

INTERNAL = [
    "http://127.0.0.1/v1", "http://localhost:8080/v1", "http://[::1]/v1", "http://169.254.169.254/latest/meta-data",
    "http://0x7f000001/v1", "http://2130706433/v1", "http://0177.0.0.1/v1", "http://0.0.0.0/v1",
    "http://10.0.0.5/v1", "http://192.168.1.1/v1", "http://172.16.0.1/v1", "http://100.64.0.1/v1",
    "http://[::ffff:127.0.0.1]/v1", "http://[fe80::1]/v1", "http://[fd00::1]/v1",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_blocked(url):
    with pytest.raises(UpstreamBlocked):
        check_url(url, Policy())


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://example.com/", "http:///v1"])
def test_other_schemes_and_hostless_urls_are_blocked(url):
    with pytest.raises(UpstreamBlocked):
        check_url(url, Policy())


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/v1", "http://0x7f000001/v1", "http://2130706433/v1",
                                 "http://[::ffff:127.0.0.1]/v1"])
def test_an_allow_listed_network_is_let_through(url):
    check_url(url, Policy.from_setting("127.0.0.0/8"))


def test_the_allow_list_is_exact():
    policy = Policy.from_setting("127.0.0.1/32, 10.1.0.0/16")
    check_url("http://10.1.2.3/v1", policy)
    with pytest.raises(UpstreamBlocked):
        check_url("http://127.0.0.2/v1", policy)
    with pytest.raises(UpstreamBlocked):
        check_url("http://169.254.169.254/", policy)


def test_public_addresses_pass():
    check_url("https://8.8.8.8/v1", Policy())
    check_url("https://[2606:4700:4700::1111]/v1", Policy())


def test_a_name_that_does_not_resolve_can_be_saved_but_not_when_strict():
    check_url("https://no-such-host.invalid/v1", Policy())
    with pytest.raises(UpstreamBlocked):
        check_url("https://no-such-host.invalid/v1", Policy(), unresolved_ok=False)
