"""The door page's device cookie: only the server can make one that counts."""

from __future__ import annotations

import pytest

from smartdoor.server.device_cookie import device_id, set_cookie_header, sign

pytestmark = pytest.mark.unit

KEY = b"unit-test-key-0123456789abcdef"


def test_a_signed_id_reads_back() -> None:
    assert device_id(sign("id-1", KEY), KEY) == "id-1"
    assert device_id(sign("a.b", KEY), KEY) == "a.b"  # the signature is after the last dot


@pytest.mark.parametrize(
    "cookie",
    [
        None,
        "",
        "id-1",
        ".",
        "id-1.",
        sign("id-1", b"another-key-0123456789abcdef")[:-1],
        sign("id-1", b"another-key-0123456789abcdef"),
        sign("id-1", KEY).replace("id-1", "id-2"),
        sign("id-1", KEY)[:-2],
        sign("id-1", KEY) + "é",
        "x" * 300 + "." + sign("x" * 300, KEY).rpartition(".")[2],
    ],
)
def test_a_forged_or_altered_cookie_is_no_cookie(cookie: str | None) -> None:
    assert device_id(cookie, KEY) is None


def test_the_cookie_is_http_only_same_site_strict_and_secure_on_https() -> None:
    header = set_cookie_header("v", secure=False)
    assert header == "smartdoor_device=v; Path=/; Max-Age=34560000; HttpOnly; SameSite=Strict"
    assert set_cookie_header("v", secure=True).endswith("; Secure")
