import pytest
from django.test import RequestFactory

from fortresa.core.request import client_ip


def _request(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.smoke
def test_forwarded_for_is_ignored_without_a_trusted_proxy():
    assert client_ip(_request("198.51.100.7", "203.0.113.9"), proxies=0) == "198.51.100.7"


@pytest.mark.smoke
def test_one_trusted_proxy_gives_the_address_it_appended():
    request = _request("10.0.0.2", "1.2.3.4, 203.0.113.9")

    assert client_ip(request, proxies=1) == "203.0.113.9"


@pytest.mark.smoke
def test_two_trusted_proxies_skip_the_nearest_hop():
    request = _request("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.1")

    assert client_ip(request, proxies=2) == "203.0.113.9"


@pytest.mark.smoke
def test_fewer_hops_than_proxies_falls_back_to_the_peer():
    assert client_ip(_request("198.51.100.7", "203.0.113.9"), proxies=2) == "198.51.100.7"


@pytest.mark.smoke
def test_garbage_in_forwarded_for_falls_back_to_the_peer():
    assert client_ip(_request("198.51.100.7", "not-an-ip"), proxies=1) == "198.51.100.7"


@pytest.mark.smoke
def test_proxy_count_comes_from_the_environment(configure):
    configure(FORTRESA_TRUSTED_PROXY_COUNT=1)

    assert client_ip(_request("10.0.0.2", "203.0.113.9")) == "203.0.113.9"
