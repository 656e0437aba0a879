"""Tokens signed with the door's key: ``<body>.<mac>``, the body a JSON object in unpadded URL-safe base64,
the mac an HMAC-SHA256 of a purpose and the body. Each kind of token has its own purpose, so a token of one
kind (an email link, a device's credential) never verifies as another's."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(purpose: bytes, body: str, key: bytes) -> str:
    return _b64(hmac.new(key, purpose + body.encode("ascii"), hashlib.sha256).digest())


def sign_payload(payload: dict[str, Any], purpose: bytes, key: bytes) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(purpose, body, key)}"


def signed_payload(token: str, purpose: bytes, key: bytes) -> dict[str, Any] | None:
    """The payload of a token signed for ``purpose`` with ``key``; None when it is not one (forged,
    truncated, another purpose's or key's, or not a JSON object)."""
    body, _, mac = token.partition(".")
    well_formed = bool(body) and bool(mac) and body.isascii() and mac.isascii()
    if not well_formed or not hmac.compare_digest(mac, _mac(purpose, body, key)):
        return None
    try:
        payload = json.loads(_unb64(body))
    except (ValueError, binascii.Error):
        return None
    return payload if isinstance(payload, dict) else None
