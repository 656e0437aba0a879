"""One-time passcodes: how a code looks, how it is stored, how long it lives."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from smartdoor.domain.model import Passcode

CODE_DIGITS = 6
MAX_LIFETIME = timedelta(minutes=5)

CodeSource = Callable[[], str]


def random_code() -> str:
    """Six digits from the OS's CSPRNG; leading zeros are part of the code."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def looks_like_code(candidate: str) -> bool:
    return len(candidate) == CODE_DIGITS and candidate.isascii() and candidate.isdigit()


def hash_code(code: str, key: bytes) -> str:
    """Keyed hash: a leaked table does not reveal codes (a plain hash of 10^6 values would)."""
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()


def new_passcode(code: str, key: bytes, visitor_id: str, now: datetime, lifetime: timedelta) -> Passcode:
    if lifetime > MAX_LIFETIME or lifetime <= timedelta(0):
        raise ValueError(f"a passcode lives between 0 and {MAX_LIFETIME}, not {lifetime}")
    return Passcode(
        code_hash=hash_code(code, key), visitor_id=visitor_id, created_at=now, expires_at=now + lifetime
    )
