"""The one rule for the client's address: REMOTE_ADDR, or the N-th X-Forwarded-For entry from
the right behind N trusted proxies; never an address the client wrote itself."""

import pytest
from django.test import RequestFactory

from lms.client_ip import client_ip


def request(remote="203.0.113.7", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_only_the_peer_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(forwarded="198.51.100.1, 198.51.100.2")) == "203.0.113.7"


def test_one_proxy_gives_the_address_it_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
    assert client_ip(request("10.0.0.1", "1.2.3.4, 198.51.100.23")) == "198.51.100.23"


def test_two_proxies_give_the_second_address_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    forwarded = "1.2.3.4, 198.51.100.23, 10.0.0.2"
    assert client_ip(request("10.0.0.1", forwarded)) == "198.51.100.23"


@pytest.mark.parametrize("forwarded", [None, "", " , "])
def test_a_request_that_bypassed_the_proxy_keys_on_the_peer(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request("10.0.0.1", forwarded)) == "10.0.0.1"


def test_fewer_entries_than_proxies_trusts_none_of_them(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request("10.0.0.1", "198.51.100.23")) == "10.0.0.1"


def test_garbage_from_the_proxy_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request("10.0.0.1", "1.2.3.4, not-an-address")) == "10.0.0.1"


def test_ipv6_is_written_in_its_short_form(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request("10.0.0.1", "2001:DB8:0:0::1")) == "2001:db8::1"


def test_no_usable_address_is_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(remote="")) is None
    assert client_ip(request(remote="unknown")) is None
