"""Rules for what a visitor tells us: a name and an E.164 phone number."""

from __future__ import annotations

import re
import unicodedata

from smartdoor.domain.errors import InvalidInput

MAX_NAME_LENGTH = 80
_E164 = re.compile(r"\+[1-9][0-9]{7,14}")
_SEPARATORS = re.compile(r"[\s().-]")


def clean_name(raw: str) -> str:
    """Trim and check a visitor's name. Any printable text is fine: it is escaped wherever it is shown."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        raise InvalidInput("name", "Enter the visitor's name.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput("name", f"The name is too long: at most {MAX_NAME_LENGTH} characters.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise InvalidInput("name", "The name contains control characters.")
    return name


def clean_phone_number(raw: str) -> str:
    """Accept E.164 with optional spaces, dashes, dots or brackets; return bare E.164 (+15551234567)."""
    compact = _SEPARATORS.sub("", raw.strip())
    if not _E164.fullmatch(compact):
        raise InvalidInput(
            "phoneNumber",
            "Enter the phone number in international format: + then the country code and number, "
            "e.g. +1 206 555 0100 or +44 20 7946 0958.",
        )
    return compact
