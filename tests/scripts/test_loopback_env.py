"""Scripts keep loopback traffic off HTTP proxies, in the environment their children inherit."""

from __future__ import annotations

import pytest

from scripts.loopback_env import LOOPBACK_HOSTS, loopback_only_environment


@pytest.mark.parametrize(
    "name", ["HTTP_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "FTP_PROXY", "Http_Proxy"]
)
def test_proxy_variables_are_dropped_in_either_case(name: str) -> None:
    """Any *_PROXY variable, upper or lower case, is absent from the cleaned environment."""
    cleaned = loopback_only_environment({name: "http://proxy.invalid:3128", "PATH": "/bin"})
    assert name not in cleaned
    assert cleaned["PATH"] == "/bin"


def test_no_proxy_names_loopback_in_both_cases() -> None:
    """NO_PROXY and no_proxy both list the loopback hosts, replacing what was there."""
    cleaned = loopback_only_environment({"NO_PROXY": "example.org", "no_proxy": "example.org"})
    assert cleaned["NO_PROXY"] == cleaned["no_proxy"] == LOOPBACK_HOSTS
    assert set(LOOPBACK_HOSTS.split(",")) == {"127.0.0.1", "localhost", "::1"}
